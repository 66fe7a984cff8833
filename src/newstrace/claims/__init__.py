"""Claims: check-worthy claims and whether other reports support them (issue 6). No code yet."""
