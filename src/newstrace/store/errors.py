"""The store's one exception, importable by every part of the store."""


class StoreError(RuntimeError):
    """The database cannot be opened or written (a user-facing error at the CLI edge)."""
