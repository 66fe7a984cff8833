"""What a piece of code does, as a digest: the version key of anything derived from it (the stored
analysis, the claims pass's stored sources), so a change of wording alone changes nothing."""

from __future__ import annotations

from collections.abc import Sequence


def code_digest(sources: Sequence[str]) -> str:
    """A digest of Python sources that ignores comments, docstrings and layout: what the code does."""
    import ast
    import hashlib

    h = hashlib.sha1()
    for text in sources:
        tree = ast.parse(text)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        h.update(ast.dump(tree).encode())
    return h.hexdigest()
