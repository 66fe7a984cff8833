"""The GDELT 2.0 event table: `events.gdelt.tsv`, for tools that read GDELT.

Tab-separated, no header, the 61 columns of GDELT 2.0's event table (GDELT Event Codebook
V2.0) in their order, listed in `COLUMNS` and in docs/schema.md. As GDELT does, one row stands
for one event (a date, two actors, an event code) however many times it is reported: mentions
are counted in NumMentions, distinct outlets in NumSources, distinct articles in NumArticles.
Only asserted events are exported (not negated, hypothetical, attempted or denied ones).
What newstrace does not know is left empty: tone, and the geography columns.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newstrace.events.actors import INTERNATIONAL
from newstrace.events.records import COUNTED_MODES

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
          "Type1Code", "Type2Code", "Type3Code"]
_GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
COLUMNS = (["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
           + [f"Actor1{c}" for c in _ACTOR] + [f"Actor2{c}" for c in _ACTOR]
           + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
              "NumMentions", "NumSources", "NumArticles", "AvgTone"]
           + [f"Actor1Geo_{c}" for c in _GEO] + [f"Actor2Geo_{c}" for c in _GEO] + [f"ActionGeo_{c}" for c in _GEO]
           + ["DATEADDED", "SOURCEURL"])
assert len(COLUMNS) == 61


def _actor_columns(a: dict[str, Any] | None) -> list[str]:
    if not a:
        return [""] * len(_ACTOR)
    code = a.get("code") or ""
    slot = code[:3]
    intl = slot in INTERNATIONAL
    country = "" if intl else (a.get("country") or "")
    group = a.get("group") or ""
    sector = a.get("sector") or ""
    type1 = slot if intl else sector
    return [code, (a.get("name") or "").upper(), country, group, "", "", "", type1, "", ""]


def _date_parts(day: str | None) -> tuple[str, str, str, str]:
    try:
        d = dt.date.fromisoformat((day or "")[:10])
    except ValueError:
        return "", "", "", ""
    frac = d.year + (d.timetuple().tm_yday - 1) / 365
    return d.strftime("%Y%m%d"), d.strftime("%Y%m"), str(d.year), f"{frac:.4f}"


def gdelt_rows(events: Iterable[dict[str, Any]],
               meta: Callable[[str], dict[str, Any] | None]) -> list[list[str]]:
    """One GDELT row per (date, actor 1, actor 2, event code), in order of first mention."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    metas: dict[str, dict[str, Any]] = {}  # one look-up per article, not per event
    for e in events:
        if e.get("mode") not in COUNTED_MODES or not e.get("source"):
            continue
        src, tgt = e["source"], e.get("target")
        key = (e.get("date"), src.get("code"), (tgt or {}).get("code"), e["code"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"event": e, "mentions": 0, "articles": set(), "sources": set(), "root": False}
        g["mentions"] += 1
        g["articles"].add(e["article_id"])
        m = metas.get(e["article_id"])
        if m is None:
            m = metas[e["article_id"]] = meta(e["article_id"]) or {}
        g["sources"].add(m.get("source") or e["article_id"])
        g["root"] = g["root"] or bool(e.get("is_root"))
        g.setdefault("url", m.get("url") or m.get("input_path") or e["article_id"])
    added = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S")
    rows = []
    for n, g in enumerate(groups.values(), 1):
        e = g["event"]
        sqldate, month, year, frac = _date_parts(e.get("date"))
        rows.append([str(n), sqldate, month, year, frac] + _actor_columns(e["source"]) + _actor_columns(e.get("target"))
                    + ["1" if g["root"] else "0", e["code"], e["base_code"], e["root_code"], str(e["quad_class"]),
                       f"{e['goldstein']:.1f}", str(g["mentions"]), str(len(g["sources"])), str(len(g["articles"])), ""]
                    + [""] * (3 * len(_GEO)) + [added, g["url"]])
    return rows


# Tabs, line breaks of every kind (\r, \v, \f, U+2028, ...) and other control characters would
# split or shift a row of a tab-separated table: each becomes a space.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\x85]")


def write_gdelt(path: Path, events: Iterable[dict[str, Any]],
                meta: Callable[[str], dict[str, Any] | None]) -> int:
    """Write the table (atomically: a temporary file renamed when complete); returns its rows."""
    rows = gdelt_rows(events, meta)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for r in rows:
            fh.write("\t".join(_CONTROL.sub(" ", v) for v in r) + "\n")
    os.replace(tmp, path)
    return len(rows)
