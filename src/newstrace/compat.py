"""What differs between the Python versions newstrace supports (3.10 and later)."""

try:
    import tomllib  # novermin (3.11; 3.10 takes tomli below)
except ModuleNotFoundError:  # Python 3.10: the same parser, packaged as tomli
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["tomllib"]
