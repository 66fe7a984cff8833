"""`newstrace serve`: the store an `analyze` run wrote, as a read-only web application with a
JSON twin of every page (`app.py`: routes; `views.py`: the data of each page; `pages.py`:
what the HTML adds; templates and the style sheet beside them)."""

from __future__ import annotations

from newstrace.serve.app import ServeError, create_app

__all__ = ["ServeError", "create_app"]
