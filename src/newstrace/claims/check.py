"""`newstrace check-claims PAIRS.jsonl`: score claims against their source texts, in batch.

Each input line is `{"id": ..., "source": "...", "claim": "..."}` (texts). Each output line is
`{"id", "score", "status", "reasons", "evidence"}` (see `support.Judgement`): `score` is the
probability that the source supports the claim (higher = better supported). A line that is
not such a record is reported (file, line, reason) and skipped; the rest go on. Sources shared
by several claims are analysed once (the last `SOURCE_CACHE` sources are kept).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newstrace.claims.support import Text, analyse, judge, prepare

SOURCE_CACHE = 64


def read_pairs(path: Path, on_skip: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path} line {n}"
            try:
                rec = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                on_skip(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            except json.JSONDecodeError as exc:
                on_skip(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            except RecursionError:
                on_skip(f"{where}: JSON nested too deeply")
                continue
            if not isinstance(rec, dict):
                on_skip(f"{where}: not a JSON object")
                continue
            source, claim = rec.get("source"), rec.get("claim")
            if not isinstance(source, str) or not isinstance(claim, str):
                on_skip(f"{where}: needs text fields \"source\" and \"claim\"")
                continue
            if not claim.strip():
                on_skip(f"{where}: the claim is empty")
                continue
            yield {"id": rec.get("id", n), "source": source, "claim": claim}


def check_pairs(pairs: Iterator[dict[str, Any]], write: Callable[[dict[str, Any]], None],
                progress: Callable[[], None] = lambda: None) -> int:
    """Judge each pair and `write` its result line; returns how many were judged."""
    cache: OrderedDict[str, Text] = OrderedDict()
    n = 0
    for pair in pairs:
        key = hashlib.sha1(pair["source"].encode("utf-8", "surrogatepass")).hexdigest()
        source = cache.get(key)
        if source is None:
            source = prepare(pair["source"])
            cache[key] = source
            if len(cache) > SOURCE_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        j = judge(source, analyse(pair["claim"]))
        write({"id": pair["id"], **{k: v for k, v in j.to_json().items() if k != "features"}})
        n += 1
        progress()
    return n
