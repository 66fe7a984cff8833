"""Scoring the event coder against labelled sentences (benchmarks and CI floors).

- Who did what to whom: per sentence, the set of (source country, target country, root code)
  of the events coded, against the gold set; micro precision, recall and F1 over all
  sentences. Old CAMEO country codes in gold data (JAP, ITL; `actors.CAMEO_COUNTRIES`) count as
  their ISO-3 codes.
- Event type: per sentence, the root (and full) code of the main event coded (the one
  highest in the parse), against the gold code.
- False alarms: the share of sentences that should yield no event and yield one.
Only events whose mode is counted (asserted) are scored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from newstrace.events.actors import cameo_country
from newstrace.events.coder import country_slot
from newstrace.events.records import COUNTED_MODES



def counted(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["mode"] in COUNTED_MODES]


def _slot(code: str | None) -> str | None:
    return cameo_country(code) if code else None


def triples(events: Iterable[dict[str, Any]]) -> set[tuple[str | None, str | None, str]]:
    return {(country_slot(e["source"]), country_slot(e["target"]), e["root_code"]) for e in counted(events)}


def gold_triples(expected: list[dict[str, Any]]) -> set[tuple[str | None, str | None, str]]:
    return {(_slot(g.get("source")), _slot(g.get("target")), g["code"][:2]) for g in expected}


def main_event(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The event highest in the sentence's parse (then the first)."""
    ev = counted(events)
    return min(ev, key=lambda e: (e["depth"], e["trigger"]["start"])) if ev else None


def score_dyads(pairs: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> dict[str, Any]:
    """pairs: (predicted events, gold expected) per sentence."""
    tp = fp = fn = 0
    full = full_n = 0
    for pred, gold in pairs:
        p, g = triples(pred), gold_triples(gold)
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
        for ge in gold:
            full_n += 1
            want = (_slot(ge.get("source")), _slot(ge.get("target")), ge["code"])
            full += any((country_slot(e["source"]), country_slot(e["target"]), e["code"]) == want
                        for e in counted(pred))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "full_code_accuracy": full / full_n if full_n else 0.0, "gold_events": full_n}


def score_types(pairs: Iterable[tuple[list[dict[str, Any]], str]]) -> dict[str, Any]:
    """pairs: (predicted events, gold full code) per sentence."""
    n = root = full = anyroot = none = 0
    for pred, code in pairs:
        n += 1
        m = main_event(pred)
        if m is None:
            none += 1
            continue
        root += m["root_code"] == code[:2]
        full += m["code"] == code
        anyroot += any(e["root_code"] == code[:2] for e in counted(pred))
    return {"sentences": n, "root_accuracy": root / n if n else 0.0, "full_accuracy": full / n if n else 0.0,
            "any_root_accuracy": anyroot / n if n else 0.0, "no_event": none}


def false_alarm_rate(predicted: list[list[dict[str, Any]]]) -> float:
    return sum(1 for p in predicted if counted(p)) / len(predicted) if predicted else 0.0
