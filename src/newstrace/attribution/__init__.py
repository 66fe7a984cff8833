"""Attributions: who said what, according to whom (issue 5). No code yet."""
