"""The provenance stage end to end: derivations.jsonl from the example corpus, a later run
adding to the persisted indexes, and inputs that must not produce false derivations."""

import json

import pytest

from newstrace.runner import AnalyzeOptions, analyze

from .helpers import ROOT, read_jsonl

# An invented story (a ferry strike), told by an original and by a close rewrite of it.
ORIGINAL = (
    "Ferry crews at the port of Brannock walked out on Thursday morning, stranding about 3,400 passengers. "
    "The Brannock Seafarers Union said the strike would last 48 hours unless the operator, Kelso Lines, "
    "restored the night-shift allowance it cut in January. "
    "Kelso Lines chief executive Mara Quillon told reporters the allowance had cost the company 2.1 million "
    "euros last year and could not be paid while fuel prices stayed high. "
    "Union secretary Owen Tarrant replied that crews had worked unpaid overtime through the winter storms. "
    "The harbour authority said two freight sailings would still run under an emergency agreement. "
    "Passengers were offered refunds or places on a coach service to the airport at Dunmere. "
    "Talks between the two sides are due to resume on Saturday at the offices of the regional mediator."
)
REWRITE = (
    "Thousands of travellers were left stuck in Brannock on Thursday after ferry crews went on strike. "
    "According to the Brannock Seafarers Union, the walkout will run for 48 hours unless Kelso Lines brings "
    "back the night-shift allowance it scrapped in January. "
    "Kelso Lines boss Mara Quillon argued that the allowance cost the firm 2.1 million euros last year and "
    "cannot be afforded while fuel remains expensive. "
    "Owen Tarrant of the union countered that crews had put in unpaid overtime during the winter storms. "
    "Two freight crossings will still operate under an emergency deal, the harbour authority said. "
    "Travellers can claim refunds or take a coach to Dunmere airport instead. "
    "Negotiations are set to restart on Saturday with the regional mediator."
)
SECOND_REWRITE = (
    "A ferry strike at Brannock on Thursday left some 3,400 passengers unable to travel. "
    "The walkout, called by the Brannock Seafarers Union, is due to last 48 hours unless Kelso Lines "
    "reinstates the night-shift allowance that it removed in January. "
    "Mara Quillon, who runs Kelso Lines, said the allowance had cost 2.1 million euros last year and that "
    "the company could not pay it with fuel prices so high. "
    "For the union, Owen Tarrant said crews had worked overtime without pay during the winter storms. "
    "The harbour authority said an emergency agreement would keep two freight sailings running. "
    "Passengers have been offered refunds or seats on coaches to Dunmere airport. "
    "The two sides will meet the regional mediator on Saturday."
)
UNRELATED = (
    "The Aldwick botanical garden reopened its glasshouse on Sunday after a two-year restoration. "
    "Curator Helen Marsh said the Victorian frame had been rebuilt with timber from local forests. "
    "About 1,200 visitors came on the first day, many of them families with young children. "
    "The garden plans evening tours through the summer and a seed library in the autumn."
)
FRENCH_A = (
    "Les équipages des ferries du port de Brannock se sont mis en grève jeudi matin. "
    "Le syndicat des marins affirme que la grève durera quarante-huit heures. "
    "La compagnie Kelso Lines refuse de rétablir la prime de nuit supprimée en janvier. "
    "Les négociations doivent reprendre samedi chez le médiateur régional."
)
FRENCH_B = (
    "Jeudi, une grève des marins a paralysé les liaisons maritimes au départ de Brannock. "
    "Selon la direction de Kelso Lines, la prime de nuit coûtait trop cher à l'entreprise. "
    "Des milliers de voyageurs ont dû se rabattre sur des autocars vers l'aéroport. "
    "Le syndicat menace de prolonger le mouvement si aucun accord n'est trouvé."
)


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _derived(out):
    return {(r["derived_id"], r["source_id"]) for r in read_jsonl(out / "derivations.jsonl") if r["derived"]}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "out"
    analyze([str(ROOT / "examples" / "corpus")], out, AnalyzeOptions(jobs=1, report=False))
    return out, {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}, read_jsonl(out / "derivations.jsonl")


def test_example_corpus_derivations(example):
    out, articles, rows = example
    derived = {(r["derived_id"], r["source_id"]) for r in rows if r["derived"]}
    # the content farm's rewrite derives from the Gazette's original (or its verbatim reprint)
    assert derived & {("tpd-88213", "harbour-gazette-original"), ("tpd-88213", "mdd-2026-0303-0412")}
    # the verbatim reprint and the exact duplicate are copies
    assert {tuple(sorted(p)) for p in derived} >= {("harbour-gazette-original", "mdd-2026-0303-0412")}
    dup = [r for r in rows if r["derived"] and r["found_by"] == "duplicate"]
    assert len(dup) == 1
    # the independent report, the French report and the unrelated pages derive from nothing
    involved = {x for pair in derived for x in pair}
    for art_id, art in articles.items():
        if art["language"] != "en" or "Athletic" in (art["title"] or "") or "library" in art["text"][:300].lower():
            assert art_id not in involved, art_id
    coastal = next(i for i, a in articles.items() if (a["source"] or "").startswith("The Coastal Herald"))
    assert all(coastal not in pair for pair in derived)


def test_derivation_records_are_traceable(example):
    out, articles, rows = example
    assert rows
    for r in rows:
        assert r["derived_id"] != r["source_id"]
        assert 0.0 <= r["score"] <= 1.0
        d, s = articles[r["derived_id"]]["text"], articles[r["source_id"]]["text"]
        for p in r["passages"]:
            assert 0 <= p["derived_start"] < p["derived_end"] <= len(d)
            assert 0 <= p["source_start"] < p["source_end"] <= len(s)
            assert p["kind"] in ("verbatim", "near-verbatim", "paraphrase")
        assert r["direction"]["decided_by"] in ("dates", "citation", "content", "undetermined")
    # no pair appears in both directions
    pairs = [(r["derived_id"], r["source_id"]) for r in rows if r["reading"] == "decided"]
    assert len(set(pairs)) == len(pairs)
    assert not {(b, a) for a, b in pairs} & set(pairs)
    # every article that was judged against another has its best candidate source listed
    judged = {x for pair in pairs for x in pair}
    assert judged <= {r["derived_id"] for r in rows}


def test_rewrite_found_in_a_later_run_against_the_stored_index(tmp_path):
    out = tmp_path / "out"
    first = _write(tmp_path / "first.jsonl", [
        {"id": "original", "title": "Ferry strike strands passengers", "text": ORIGINAL, "published": "2026-05-07"},
        {"id": "garden", "title": "Glasshouse reopens", "text": UNRELATED}])
    analyze([str(first)], out, AnalyzeOptions(jobs=1, report=False))
    assert _derived(out) == set()
    second = _write(tmp_path / "second.jsonl", [
        {"id": "rewrite", "title": "Travellers stuck as ferry crews strike", "text": REWRITE,
         "published": "2026-05-08"}])
    analyze([str(first), str(second)], out, AnalyzeOptions(jobs=1, report=False))
    assert _derived(out) == {("rewrite", "original")}
    row = next(r for r in read_jsonl(out / "derivations.jsonl") if r["derived"])
    assert row["direction"]["decided_by"] == "dates"
    assert row["passages"] and row["coverage_derived"] > 0.5


def test_short_identical_and_foreign_articles_make_no_false_derivations(tmp_path):
    out = tmp_path / "out"
    first_sentence = ORIGINAL.split(". ")[0] + "."
    corpus = _write(tmp_path / "c.jsonl", [
        {"id": "original", "text": ORIGINAL},
        {"id": "one-sentence", "text": first_sentence},
        {"id": "copy", "text": ORIGINAL},
        {"id": "fr-a", "text": FRENCH_A},
        {"id": "fr-b", "text": FRENCH_B},
        {"id": "garden", "text": UNRELATED},
        {"id": "empty", "text": "   "},
    ])
    analyze([str(corpus)], out, AnalyzeOptions(jobs=1, report=False))
    derived = _derived(out)
    # the identical article is one copy of the original, in one direction only
    assert derived == {("copy", "original")}
    rows = read_jsonl(out / "derivations.jsonl")
    assert not [r for r in rows if "one-sentence" in (r["derived_id"], r["source_id"])]
    assert not [r for r in rows if r["derived"] and {"fr-a", "fr-b"} & {r["derived_id"], r["source_id"]}]


def test_two_rewrites_of_one_source_name_it_as_their_common_source(tmp_path):
    out = tmp_path / "out"
    corpus = _write(tmp_path / "c.jsonl", [
        {"id": "original", "text": ORIGINAL}, {"id": "rewrite", "text": REWRITE},
        {"id": "second", "text": SECOND_REWRITE}])
    analyze([str(corpus)], out, AnalyzeOptions(jobs=1, report=False))
    rows = [r for r in read_jsonl(out / "derivations.jsonl") if r["derived"]]
    assert {(r["derived_id"], r["source_id"]) for r in rows} >= {("rewrite", "original"), ("second", "original")}
    for r in rows:
        if r["source_id"] != "original":  # the rewrites judged derived from each other
            assert r["common_sources"] == ["original"], r
        else:
            assert r["common_sources"] == []


def test_the_article_naming_the_other_outlet_is_the_derived_one(tmp_path):
    out = tmp_path / "out"
    corpus = _write(tmp_path / "c.jsonl", [
        # the rewrite comes first in the input: without other evidence it would be taken as the source
        {"id": "rewrite", "source": "Ferry Watch", "text": REWRITE + " The Brannock Courier first reported the walkout."},
        {"id": "original", "source": "The Brannock Courier", "text": ORIGINAL}])
    analyze([str(corpus)], out, AnalyzeOptions(jobs=1, report=False))
    row = next(r for r in read_jsonl(out / "derivations.jsonl") if r["derived"])
    assert (row["derived_id"], row["source_id"]) == ("rewrite", "original")
    assert row["direction"]["decided_by"] == "citation"
    assert "Brannock Courier" in row["direction"]["evidence"][0]
