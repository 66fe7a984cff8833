"""Claims checked across a corpus: the bundled example, resuming, and awkward input."""

import json

import pytest

from newstrace.claims.extract import MAX_CHARS
from newstrace.runner import AnalyzeOptions, analyze

from .helpers import ROOT, read_jsonl

REWRITE = "tpd-88213"  # the content farm's rewrite of the Gazette (see examples/README.md)
GAZETTE = "harbour-gazette-original"
REPRINT = "mdd-2026-0303-0412"


def _stage(out, name="claims"):
    summary = json.loads((out / "summary.json").read_text())
    return next(s for s in summary["summary"]["stages"] if s["stage"] == name)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims") / "out"
    analyze([str(ROOT / "examples" / "corpus")], out, AnalyzeOptions(jobs=1, report=False))
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    return out, articles, read_jsonl(out / "claims.jsonl")


def _claim(claims, article_id, words):
    found = [c for c in claims if c["article_id"] == article_id and words in c["text"]]
    assert found, f"no claim of {article_id} with {words!r}"
    return found[0]


def test_claims_are_traceable_to_the_texts(example):
    out, articles, claims = example
    assert claims
    for c in claims:
        assert articles[c["article_id"]]["text"][c["start"]:c["end"]] == c["text"]
        assert c["status"] in ("supported", "unsupported", "contradicted")
        assert 0.0 <= c["score"] <= 1.0 and c["reasons"]
        for e in c["evidence"]:
            assert e["article_id"] != c["article_id"]
            assert articles[e["article_id"]]["text"][e["start"]:e["end"]] == e["text"]


def test_the_rewrite_additions_are_unsupported_with_their_reason(example):
    _, _, claims = example
    expected = {"€15 million": "€15 million", "visited the affected beaches": None, "Lionel Ferrick": "Lionel Ferrick",
                "captain has been detained": "Coastal Herald",
                "United Nations Environment Programme": "United Nations Environment Programme"}
    for words, reason in expected.items():
        c = _claim(claims, REWRITE, words)
        assert c["status"] == "unsupported", (words, c["score"], c["reasons"])
        if reason:
            assert any(reason in r for r in c["reasons"]), (words, c["reasons"])


def test_restated_and_copied_claims_are_supported(example):
    _, _, claims = example
    assert _claim(claims, REWRITE, "fine of up to €2 million")["status"] == "supported"
    reprint = [c for c in claims if c["article_id"] == REPRINT]
    assert sum(c["status"] == "supported" for c in reprint) >= 0.8 * len(reprint)
    c = _claim(claims, REPRINT, "310 tonnes")
    assert {e["article_id"] for e in c["evidence"] if e["stance"] == "supports"} & {GAZETTE, REWRITE}


def test_a_denial_points_to_what_it_denies_and_contradicts_it(example):
    _, _, claims = example
    denial = _claim(claims, GAZETTE, "has denied the reports")
    by_id = {c["id"]: c for c in claims}
    assert denial["denial"] and denial["denial"]["denies"]
    denied = by_id[denial["denial"]["denies"][0]]
    assert denied["article_id"] == GAZETTE and denied["start"] < denial["start"]
    assert denied["denied_in_article"]["claim_id"] == denial["id"]
    # the rewrite repeats the report: the articles that carry the denial contradict it
    retold = _claim(claims, REWRITE, "senior port official")
    assert retold["status"] == "contradicted"
    assert any("denied" in r for r in retold["reasons"])


def test_a_conflicting_figure_is_a_contradiction(example):
    out, articles, claims = example
    herald = next(i for i, a in articles.items() if (a["source"] or "").startswith("The Coastal Herald"))
    c = _claim(claims, herald, "75 tonnes")
    assert c["status"] == "contradicted"
    assert any(e["stance"] == "contradicts" for e in c["evidence"])


def test_lone_stories_and_other_languages(example):
    _, articles, claims = example
    football = next(i for i, a in articles.items() if "Athletic" in (a["title"] or ""))
    mine = [c for c in claims if c["article_id"] == football]
    assert mine and all(c["status"] == "unsupported" and c["checked_against"] == 0 for c in mine)
    assert all("no other article" in c["reasons"][0] for c in mine)
    french = [i for i, a in articles.items() if a["language"] == "fr"]
    assert french and not [c for c in claims if c["article_id"] in french]


def test_rerun_checks_only_what_changed(example, tmp_path):
    out, _, claims = example
    analyze([str(ROOT / "examples" / "corpus")], out, AnalyzeOptions(jobs=1, report=False))
    stage = _stage(out)
    assert stage["processed"] == 0  # nothing new: every article's candidates are unchanged
    assert stage["notes"]["articles already checked against the same articles"] > 0
    assert read_jsonl(out / "claims.jsonl") == claims
    # a new report of the spill joins the story: its story-mates are checked again
    extra = tmp_path / "late.jsonl"
    extra.write_text(json.dumps({
        "id": "late-1", "source": "Aldmoor Evening Post", "published": "2026-03-05",
        "title": "Calloway Dawn fuel pumping begins off Marrowick",
        "text": "Salvage crews began pumping fuel from the Calloway Dawn, the bulk carrier aground on Gannet Reef "
                "off Marrowick, on Thursday. The ship's operator, Veltrane Shipping Lines, said about 270 tonnes of "
                "fuel remained on board. Oil from the wreck has reached about nine kilometres of the Solvane coast. "
                "A Norwegian oil-recovery vessel is skimming fuel in Marrowick Bay, the harbour authority said."}) + "\n",
        encoding="utf-8")
    analyze([str(extra)], out, AnalyzeOptions(jobs=1, report=False))
    stage = _stage(out)
    assert stage["processed"] >= 2
    late = [c for c in read_jsonl(out / "claims.jsonl") if c["article_id"] == "late-1"]
    assert late and any(c["status"] == "supported" for c in late)


def test_awkward_articles_give_sensible_claims(tmp_path):
    run_on = ", ".join(f"the committee of {name} reviewed the harbour accounts for the {n}th time"
                       for n in range(4, 90) for name in ("Brisk", "Tallow")) + "."
    table = "\n".join(f"{2010 + i} | {10 + i}.4 | {20 + i}.1 | {i}.8" for i in range(30))
    rows = [
        {"id": "headline-only", "title": "Harbour Board Approves New Lifeboat Station at Pell Point",
         "text": "Harbour Board Approves New Lifeboat Station at Pell Point"},
        {"id": "run-on", "title": "Accounts", "text": "The harbour accounts were reviewed. " + run_on},
        {"id": "table", "title": "Landings by year",
         "text": "Fish landings at Pell Point fell for a third year, the harbour board said on Monday.\n\n" + table},
        {"id": "list", "title": "Measures",
         "text": "The board approved three measures on Monday:\n\n- a ban on night fishing in Pell Bay until June\n"
                 "- a grant of 40,000 euros for the lifeboat station at Pell Point\n- new buoys at the harbour mouth"},
    ]
    src = tmp_path / "awkward.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    result = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    assert result.status == "ok"
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    claims = read_jsonl(out / "claims.jsonl")
    by_article: dict[str, list[dict]] = {}
    for c in claims:
        by_article.setdefault(c["article_id"], []).append(c)
        assert len(c["text"]) <= MAX_CHARS
        assert articles[c["article_id"]]["text"][c["start"]:c["end"]] == c["text"]
    assert len(by_article.get("headline-only", [])) <= 1
    assert len(by_article["run-on"]) > 5  # cut into pieces, not one 10,000-character claim
    assert not any("|" in c["text"] for c in by_article["table"])
    assert any("Fish landings" in c["text"] for c in by_article["table"])
    assert any(c["text"].startswith("a grant of 40,000 euros") for c in by_article["list"])


def test_a_restatement_is_supported_unless_it_adds_a_person_or_a_figure():
    from newstrace.commands.compare import analyse, b_claims
    from newstrace.records import Article

    a = Article(id="a", text="Ferry crossings to Inishmore were cancelled on Friday. The Morwen Star was held at "
                             "Pell Point for six hours because of a broken loading ramp, the operator Calder Lines said.")
    b = Article(id="b", text="A broken loading ramp kept the Morwen Star at Pell Point for six hours, Calder Lines "
                             "said. A broken loading ramp kept the Morwen Star at Pell Point for nine hours on "
                             "Friday, engineer Carla Vint told reporters.")
    analyse([a, b])
    claims = b_claims(a, b, "a", "b")
    assert len(claims) == 2
    restated, padded = claims
    assert restated["status"] == "supported", restated["reasons"]
    assert restated["evidence"][0]["article_id"] == "a"
    assert padded["status"] != "supported", padded["reasons"]
    assert any("Carla Vint" in r for r in padded["reasons"]) and any("nine" in r for r in padded["reasons"])


def test_worker_processes_check_as_this_process_does(example, monkeypatch):
    from newstrace.claims import stage as claims_stage
    from newstrace.pipeline import StageStats
    from newstrace.store import Store

    out, _, _ = example
    store = Store(out / "newstrace.db")
    try:
        before = {r["id"]: r for r in store.iter_claims()}
        english = store.english_article_ids()
        assert not store.ids_without_claim_source(claims_stage.source_version())  # the unit made them all
        store.db.execute("DELETE FROM claim_checks")
        store.db.execute("DELETE FROM claim_sources")  # as in a store analysed before they were kept
        monkeypatch.setattr(claims_stage, "PARALLEL_FROM", 2)
        monkeypatch.setattr(claims_stage, "CHUNK", 2)
        stats = StageStats("claims")
        claims_stage.Claims(store, jobs=2).check_corpus(stats)
        after = {r["id"]: r for r in store.iter_claims()}
        missing = store.ids_without_claim_source(claims_stage.source_version())
    finally:
        store.close()
    assert stats.notes["worker processes: 2"] == 1
    assert stats.notes["articles prepared for checking in this pass"] == len(english) and not missing
    assert after.keys() == before.keys()
    assert all(after[k]["status"] == before[k]["status"] and after[k]["evidence"] == before[k]["evidence"]
               for k in after)


def test_a_stored_source_checks_as_a_built_one(example):
    """A Source read back from the store (`dump_source`, `load_source`) gives every article the
    same claim records as one built afresh from its sentences and attributions."""
    from newstrace.claims.corpus import Checker, check_source
    from newstrace.claims.source import dump_source, load_source
    from newstrace.store import Store

    out, _, _ = example
    store = Store.reader(str(out / "newstrace.db"))
    try:
        checker = Checker(store)
        ids = store.english_article_ids()
        built = {a: checker.build(a) for a in ids}
        loaded = {a: load_source(dump_source(s)) for a, s in built.items()}
        assert any(s.denied or s.denials for s in built.values()) and any(s.claims for s in built.values())
        for a in ids:
            others = [c for c in ids if c != a]
            fresh = check_source(built[a], [built[c] for c in others])
            again = check_source(loaded[a], [loaded[c] for c in others])
            assert fresh == again, a
            assert loaded[a].text.vectors.flags.writeable
    finally:
        store.close()


def test_a_damaged_stored_source_is_built_again(example):
    """A stored Source that cannot be read (a damaged blob) costs nothing but the time to build
    the article again from its sentences and attributions."""
    from newstrace.claims.corpus import Checker, check_source
    from newstrace.claims.source import source_version
    from newstrace.store import Store

    out, _, _ = example
    store = Store(out / "newstrace.db")
    try:
        ids = store.english_article_ids()
        before = Checker(store)
        expected = check_source(before.source(ids[0]), [before.source(c) for c in ids[1:]])
        store.put_claim_source(ids[0], source_version(), b"not a stored source")
        store.commit()
        after = Checker(store)
        got = check_source(after.source(ids[0]), [after.source(c) for c in ids[1:]])
    finally:
        store.close()
    assert expected and got == expected
