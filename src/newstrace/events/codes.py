"""CAMEO event codes: name, Goldstein weight, quad class and PLOVER category of each code.

The table lives in `newstrace/data/cameo_codes.toml` (CAMEO codebook v1.1b3, Goldstein weights
as GDELT uses them). A code is 2 to 4 digits: the first two are the root (01-20), the first three
the base code (GDELT's EventBaseCode). The quad class follows from the root:
01-05 verbal cooperation, 06-08 material cooperation, 09-13 verbal conflict,
14-20 material conflict. Users may add or replace codes with a TOML file of the same shape
(`code_table(extra=path)`).
"""

from __future__ import annotations

import re
from newstrace.compat import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

QUAD_NAMES: dict[int, str] = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}

# Roots by what they are, as numbers (`root_of`). The ranges are ranges of roots: "19" is in
# MATERIAL_CONFLICT and FIGHTING. Every code the coder emits has a root from 01 to 20.
VERBAL_COOPERATION = range(1, 6)  # 01 statement .. 05 diplomatic cooperation
MATERIAL_COOPERATION = range(6, 9)  # 06 material cooperation, 07 aid, 08 yield
VERBAL_CONFLICT = range(9, 14)  # 09 investigate .. 13 threaten
MATERIAL_CONFLICT = range(14, 21)  # 14 protest .. 20 mass violence
CONFLICT = range(9, 21)  # verbal and material
MAKE_STATEMENT = 1
EXPRESS_INTENT = 3  # to cooperate
RECIPROCAL = range(4, 7)  # consult, diplomatic and material cooperation: done with one another
PROMISABLE = range(4, 9)  # consult .. yield: "will meet", "will send aid" are intents (03x)
THREAT_OR_FORCE = range(13, 21)  # threaten, and material conflict
FIGHTING = range(18, 21)  # assault, fight, mass violence
# Codes as strings: a statement, and the events that are coded both ways (a telephone call,
# negotiations).
STATEMENT_CODES = ("010",)
MUTUAL = frozenset({"041", "046"})

_PACKAGED = "cameo_codes.toml"
_CODE = re.compile(r"\d{2,4}")
_KEYS = {"code", "name", "goldstein", "plover"}


@dataclass(frozen=True, slots=True)
class EventCode:
    code: str  # "0214"
    name: str
    goldstein: float  # GDELT's weight, -10 (conflict) to +10 (cooperation)
    plover: str | None  # the code's own PLOVER category; plover_of() also looks up the tree
    root: str  # first two digits: "02"
    quad_class: int  # 1-4, from the root
    quad_name: str  # QUAD_NAMES[quad_class]
    base: str  # first three digits (GDELT's EventBaseCode), "021"; a root's is the root itself


def root_of(code: str) -> int:
    """The root of a code as a number ("0256" -> 2); 0 for what is not a code (the coder's
    kinds of event, such as "reform", or "")."""
    head = code[:2]
    return int(head) if head.isdigit() else 0


def quad_class_of(root: str) -> int:
    """Quad class (1-4) of a root code "01".."20"."""
    r = int(root)
    if not 1 <= r <= 20:
        raise ValueError(f"CAMEO root {root!r} is outside 01-20")
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def _entry(raw: Any, source: str, index: int) -> EventCode:
    """One [[code]] table of a TOML file as an EventCode; ValueError naming file and entry."""
    where = f"{source}: [[code]] entry {index}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: not a table")
    if isinstance(raw.get("code"), str):
        where += f" (code {raw['code']!r})"
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: code, name, goldstein, plover")
    missing = [k for k in ("code", "name", "goldstein") if k not in raw]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    code, name, goldstein, plover = raw["code"], raw["name"], raw["goldstein"], raw.get("plover")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{where}: code must be a string of 2 to 4 digits, got {code!r}")
    root = code[:2]
    if not 1 <= int(root) <= 20:
        raise ValueError(f"{where}: root {root} is outside 01-20")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    if isinstance(goldstein, bool) or not isinstance(goldstein, int | float) or not -10 <= goldstein <= 10:
        raise ValueError(f"{where}: goldstein must be a number from -10 to 10, got {goldstein!r}")
    if plover is not None and (not isinstance(plover, str) or not plover.strip()):
        raise ValueError(f"{where}: plover must be a non-empty string when given")
    quad = quad_class_of(root)
    return EventCode(code=code, name=name.strip(), goldstein=float(goldstein),
                     plover=plover.strip() if plover else None, root=root,
                     quad_class=quad, quad_name=QUAD_NAMES[quad], base=code[:3])


def _parse(text: str, source: str) -> dict[str, EventCode]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from exc
    entries = doc.get("code", [])
    if not isinstance(entries, list):
        raise ValueError(f"{source}: 'code' must be an array of tables ([[code]] entries)")
    table: dict[str, EventCode] = {}
    for i, raw in enumerate(entries, 1):
        ec = _entry(raw, source, i)
        if ec.code in table:
            raise ValueError(f"{source}: [[code]] entry {i}: code {ec.code!r} given twice")
        table[ec.code] = ec
    return table


@cache
def _packaged() -> dict[str, EventCode]:
    path = resources.files("newstrace.data").joinpath(_PACKAGED)
    return _parse(path.read_text("utf-8"), f"newstrace/data/{_PACKAGED}")


def code_table(extra: Path | None = None) -> dict[str, EventCode]:
    """All CAMEO codes by code string; `extra`, a TOML file of [[code]] entries in the packaged
    file's shape, adds codes or replaces them. The packaged table is read once and cached."""
    table = dict(_packaged())
    if extra is not None:
        path = Path(extra)
        table.update(_parse(path.read_text("utf-8"), str(path)))
    return table


def lookup(code: str, table: Mapping[str, EventCode] | None = None) -> EventCode:
    """The EventCode of `code` (in `table`, by default the packaged one); KeyError if unknown."""
    codes = _packaged() if table is None else table
    try:
        return codes[code]
    except KeyError:
        raise KeyError(f"unknown CAMEO event code {code!r} (codes are 2-4 digit strings such as '0214')") from None


def plover_of(code: str, table: Mapping[str, EventCode] | None = None) -> str | None:
    """The most specific PLOVER category for `code`: its own, else its base code's, else its
    root's; None when none of them has one (roots 01 and 02) or the code is not 2-4 digits."""
    codes = _packaged() if table is None else table
    if not _CODE.fullmatch(code):
        return None
    for key in (code, code[:3], code[:2]):
        ec = codes.get(key)
        if ec is not None and ec.plover:
            return ec.plover
    return None
