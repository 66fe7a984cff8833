"""Lexicons and word lists, kept as data (see each file's header for where it came from)."""
