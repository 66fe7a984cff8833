"""Events: who did what to whom, CAMEO-coded (issue 7). No code yet."""
