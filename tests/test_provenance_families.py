"""The family pass: derivations decided over a group of related articles at once.

Unit tests on hand-made pair records (no models), then end-to-end cases through `analyze` on
short invented articles: a family of one, an article that is only its repeated headline, two
identical articles, one wire text reprinted by fifty outlets, non-English members.
"""

import json

import pytest

from newstrace.provenance.family import (
    Member, Pair, Reading, decide, default_family_model, groups, relation_of)
from newstrace.provenance.signals import ArticleSignals
from newstrace.runner import AnalyzeOptions, analyze

from .helpers import read_jsonl


def _member(i: str, seq: int, style: float, quotes: int, day: str | None = None, n: int = 10) -> Member:
    return Member(i, seq, day, ArticleSignals(i, style, quotes, 0.3 if quotes else 0.05, n), [100] * n)


def _reading(p: float, copied: float = 0.0, coverage: float = 0.9, kept: float = 0.8, n: int = 10) -> Reading:
    return Reading(p, copied, {"coverage_derived": coverage, "coverage_source": coverage, "details_kept": kept,
                               "order": 1.0, "structure": 0.8}, list(range(int(coverage * n))))


def _pair(a: str, b: str, ab: Reading, ba: Reading) -> Pair:
    return Pair(a, b, ab, ba)


def test_rewrites_derive_from_the_original_and_are_siblings_of_each_other():
    # a human original (quotes, attribution cues) and two machine-like rewrites of it
    members = {"orig": _member("orig", 0, -1.5, 8), "r1": _member("r1", 1, 2.0, 0), "r2": _member("r2", 2, 2.0, 0)}
    pairs = [_pair("r1", "orig", _reading(0.95, kept=0.9), _reading(0.9, kept=0.6)),
             _pair("r2", "orig", _reading(0.95, kept=0.9), _reading(0.9, kept=0.6)),
             _pair("r2", "r1", _reading(0.97, kept=0.6), _reading(0.97, kept=0.6))]
    d = decide(members, pairs, default_family_model())
    edges = {(e.derived, e.source) for e in d.edges}
    assert edges == {("r1", "orig"), ("r2", "orig")}
    assert [(a, b) for a, b, _ in d.siblings] == [("r1", "r2")]
    assert d.siblings[0][2] == ["orig"]
    assert d.families[0]["roots"] == ["orig"]
    for e in d.edges:
        assert e.decided_by == "content" and e.evidence


def test_dates_decide_and_a_later_article_is_never_the_source():
    # the content reads `a` as the original (human, quotes) and `b` as the rewrite, but `b` is dated first
    members = {"a": _member("a", 0, -1.5, 8, day="2026-05-09"), "b": _member("b", 1, 2.0, 0, day="2026-05-08")}
    pairs = [_pair("b", "a", _reading(0.95, copied=0.6), _reading(0.95, copied=0.6))]
    d = decide(members, pairs, default_family_model())
    assert [(e.derived, e.source, e.decided_by) for e in d.edges] == [("a", "b", "dates")]
    assert "dated" in d.edges[0].evidence[0]
    assert next(c for c in d.candidates["b"] if c.source == "a").eligible is False


def test_reprints_point_to_the_first_stored_and_not_to_each_other():
    members = {f"c{k}": _member(f"c{k}", k, 0.0, 2) for k in range(6)}
    pairs = [_pair(f"c{j}", f"c{i}", _reading(1.0, copied=1.0, coverage=1.0), _reading(1.0, copied=1.0, coverage=1.0))
             for i in range(6) for j in range(i + 1, 6)]
    d = decide(members, pairs, default_family_model())
    assert {(e.derived, e.source) for e in d.edges} == {(f"c{k}", "c0") for k in range(1, 6)}
    assert all(e.relation == "copy" for e in d.edges)
    assert len(d.siblings) == 10 and all(common == ["c0"] for _, _, common in d.siblings)
    assert len(d.families) == 1 and d.families[0]["roots"] == ["c0"]


def test_unrelated_pairs_form_no_group_and_a_cycle_cannot_form():
    assert groups([("a", "b", 0.01), ("c", "d", 0.5)]) == [["c", "d"]]
    members = {"a": _member("a", 0, 0.0, 2), "b": _member("b", 1, 0.0, 2)}
    d = decide(members, [_pair("b", "a", _reading(0.9), _reading(0.9))], default_family_model())
    assert len(d.edges) <= 1


def test_a_copy_of_a_rewrite_derives_from_the_rewrite_and_a_compilation_from_both_sources():
    # chain: `c` copies verbatim five sentences of `r1` that `r1` reworded from `o`
    members = {"o": _member("o", 0, -1.5, 8), "r1": _member("r1", 1, 2.0, 0), "c": _member("c", 2, 2.0, 0)}

    def reading(p, copied, cov, verbatim):
        return Reading(p, copied, {"coverage_derived": cov, "coverage_source": cov, "details_kept": 0.8,
                                   "order": 1.0, "structure": 0.5}, list(range(int(cov * 10))), verbatim)

    pairs = [_pair("r1", "o", _reading(0.95, kept=0.9), _reading(0.9, kept=0.6)),
             _pair("c", "r1", reading(0.9, 0.5, 0.5, [0, 1, 2, 3, 4]), reading(0.5, 0.5, 0.5, [0, 1, 2, 3, 4])),
             _pair("c", "o", reading(0.3, 0.0, 0.5, []), reading(0.2, 0.0, 0.4, []))]
    d = decide(members, pairs, default_family_model())
    edges = {(e.derived, e.source): e for e in d.edges}
    assert set(edges) == {("r1", "o"), ("c", "r1")}
    assert "rewrite of a rewrite" in edges[("c", "r1")].evidence[0]
    assert d.families[0]["roots"] == ["o"]
    # compilation: `c` retells one half from `s1` and the other from `s2`, two unrelated stories
    members = {"s1": _member("s1", 0, -1.5, 8), "s2": _member("s2", 1, -1.5, 8), "c": _member("c", 2, 2.0, 0)}
    half = {"coverage_derived": 0.5, "coverage_source": 0.6, "details_kept": 0.5, "order": 1.0, "structure": 0.5}
    pairs = [_pair("c", "s1", Reading(0.6, 0.5, half, [0, 1, 2, 3, 4]), Reading(0.3, 0.4, half, [0, 1, 2, 3])),
             _pair("c", "s2", Reading(0.6, 0.5, half, [5, 6, 7, 8, 9]), Reading(0.3, 0.4, half, [0, 1, 2, 3]))]
    d = decide(members, pairs, default_family_model())
    assert {(e.derived, e.source) for e in d.edges} == {("c", "s1"), ("c", "s2")}
    assert d.families[0]["roots"] == ["s1", "s2"]


def test_relations_follow_the_shares():
    assert relation_of(Reading(1.0, 1.0, {"coverage_derived": 1.0, "coverage_source": 1.0})) == "copy"
    assert relation_of(Reading(0.9, 0.7, {"coverage_derived": 0.9, "coverage_source": 0.8})) == "edit"
    assert relation_of(Reading(0.9, 0.1, {"coverage_derived": 0.9, "coverage_source": 0.8})) == "rewrite"
    assert relation_of(Reading(0.9, 0.1, {"coverage_derived": 0.4, "coverage_source": 0.5})) == "partial_rewrite"


# -- end to end, on invented articles -------------------------------------------------------------

WIRE = ("Harbour pilots at Corrin Bay refused to guide tankers into port on Friday after a dispute over night shifts. "
        "The Corrin Pilots Guild said three of its members had worked twenty hours without rest last week. "
        "Port director Ilse Varga said the refusal had left six ships waiting at anchor outside the bay. "
        "The guild said talks with the port authority would resume on Monday morning.")
HEADLINE = "Pilots refuse to guide tankers at Corrin Bay"


def _run(tmp_path, records, **kw):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out"
    analyze([str(path)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False, **kw))
    return (read_jsonl(out / "derivations.jsonl"), read_jsonl(out / "families.jsonl"),
            {a["id"]: a for a in read_jsonl(out / "articles.jsonl")})


def test_a_family_of_one_and_a_headline_only_article_derive_from_nothing(tmp_path):
    only_headline = "\n\n".join([HEADLINE] * 4)
    rows, families, articles = _run(tmp_path, [
        {"id": "wire", "title": HEADLINE, "text": WIRE},
        {"id": "headline-only", "title": HEADLINE, "text": HEADLINE + "\n\n" + only_headline}])
    assert not [r for r in rows if r["derived"]]
    assert families == []
    assert articles["wire"]["provenance"]["role"] is None
    assert any(x["kind"] == "repeated_headline" for x in articles["headline-only"]["rewrite_signals"])


def test_one_wire_text_reprinted_by_fifty_outlets(tmp_path):
    records = [{"id": f"outlet-{k:02d}", "title": f"{HEADLINE} ({k})", "text": WIRE, "source": f"Outlet {k}"}
               for k in range(50)]
    rows, families, articles = _run(tmp_path, records)
    derived = [r for r in rows if r["derived"]]
    # every reprint is a copy of the first one stored; the reprints are siblings, not copies of each other
    assert {r["source_id"] for r in derived} == {"outlet-00"}
    assert {r["derived_id"] for r in derived} == {f"outlet-{k:02d}" for k in range(1, 50)}
    assert all(r["relation"] == "copy" for r in derived)
    assert len(families) == 1 and families[0]["roots"] == ["outlet-00"]
    assert len(families[0]["article_ids"]) == 50
    assert articles["outlet-00"]["provenance"]["role"] == "original"


def test_two_identical_articles_and_a_foreign_member(tmp_path):
    french = ("Les pilotes du port de Corrin Bay ont refusé vendredi de guider les pétroliers. "
              "Le syndicat des pilotes dénonce des journées de vingt heures sans repos. "
              "Six navires attendent au mouillage devant la baie, selon la direction du port. "
              "Les négociations doivent reprendre lundi matin avec l'autorité portuaire.")
    rows, families, articles = _run(tmp_path, [
        {"id": "first", "title": HEADLINE, "text": WIRE, "published": "2026-04-03"},
        {"id": "second", "title": HEADLINE, "text": WIRE, "published": "2026-04-03"},
        {"id": "french", "title": "Grève des pilotes à Corrin Bay", "text": french, "published": "2026-04-03"}])
    derived = {(r["derived_id"], r["source_id"]): r for r in rows if r["derived"]}
    assert set(derived) == {("second", "first")}
    assert derived[("second", "first")]["relation"] == "copy"
    assert articles["french"]["provenance"] is None or articles["french"]["provenance"].get("role") is None
