"""Claim support against a source text (issue 6, first slice). Texts written for the tests."""

import json
import subprocess
import sys

import pytest

from newstrace.claims.support import judge, prepare

from .helpers import ROOT

SOURCE = ("The grain carrier Calloway Dawn ran aground on Gannet Reef on Monday night. "
          "All 21 crew members were rescued by the Marrowick lifeboat and a coastguard helicopter. "
          "The harbour authority said on Wednesday that about 270 tonnes of fuel remained on board. "
          "Environment minister Tomas Reyland described the spill as serious but containable.")


@pytest.fixture(scope="module")
def source():
    return prepare(SOURCE)


def test_a_restatement_is_supported_with_its_evidence(source):
    j = judge(source, "About 270 tonnes of fuel were still on the ship, the harbour authority said.")
    assert j.status == "supported", j
    best = j.evidence[0]
    assert SOURCE[best.start:best.end] == best.text and "270 tonnes" in best.text


def test_added_names_and_numbers_are_unsupported_with_reasons(source):
    restated = judge(source, "All 21 crew members were rescued after the ship ran aground on Gannet Reef.")
    added = judge(source, "Analyst Mira Costa of the Northbridge Institute said the clean-up would cost 1.2 million euros.")
    assert added.status == "unsupported"
    assert added.score < restated.score
    text = " ".join(added.reasons)
    assert "mira costa" in text and "1200000" in text


def test_a_negated_restatement_is_flagged(source):
    j = judge(source, "The harbour authority said that no fuel remained on board.")
    assert j.features["negation_differs"] == 1.0
    assert j.status != "supported" or j.score < judge(source, "Fuel remained on board, the harbour authority said.").score


def test_opposite_words_are_a_contradiction_cue():
    from newstrace.claims.support import antonym_differs

    assert antonym_differs({"exports", "rose", "in", "march"}, {"exports", "fell", "in", "march"})
    assert antonym_differs({"the", "court", "acquitted", "him"}, {"the", "court", "convicted", "him"})
    assert not antonym_differs({"exports", "rose"}, {"exports", "rose", "after", "they", "fell"})
    assert not antonym_differs({"exports", "rose"}, {"imports", "grew"})


@pytest.mark.parametrize("claim", [
    "The " + "very " * 400 + "long sentence about the reef goes on.",                    # very long sentence
    "Crew | Rescued | Vessel\n21 | yes | Calloway Dawn\n0 | no | none",                   # a table flattened
    "- 21 crew rescued\n- 270 tonnes on board\n- minister: serious but containable",      # a list
    "Ship aground",                                                                        # a headline
])
def test_awkward_claims_get_a_verdict(source, claim):
    j = judge(source, claim)
    assert j.status in ("supported", "unsupported", "contradicted")
    assert 0.0 <= j.score <= 1.0
    for e in j.evidence:
        assert SOURCE[e.start:e.end] == e.text


def test_a_headline_only_source_and_an_empty_source():
    j = judge(prepare("Ship aground off Marrowick"), "A ship ran aground off Marrowick.")
    assert j.status in ("supported", "unsupported") and j.evidence
    empty = judge(prepare(""), "A ship ran aground.")
    assert empty.status == "unsupported" and empty.evidence == []


def test_check_claims_command(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    lines = [json.dumps({"id": "a", "source": SOURCE, "claim": "All 21 crew members were rescued."}),
             "{not json",
             json.dumps({"id": "b", "source": SOURCE}),
             json.dumps({"id": "c", "source": SOURCE, "claim": "The minister resigned over the spill on Friday."})]
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "newstrace", "check-claims", str(pairs), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr  # finished, some lines skipped
    assert "line 2" in proc.stderr and "line 3" in proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    assert rows[0]["score"] > rows[1]["score"]
    assert all(set(r) >= {"id", "score", "status", "reasons", "evidence"} for r in rows)
    missing = subprocess.run([sys.executable, "-m", "newstrace", "check-claims", str(tmp_path / "nope.jsonl")],
                             cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr


def test_the_entailment_head_ranks_an_entailed_claim_above_an_unrelated_one():
    from newstrace.claims.support import entailment
    from newstrace.language.embed import embed

    premise, entailed, unrelated = embed(["The ship ran aground on the reef and all 21 crew were rescued by helicopter.",
                                          "The crew of the ship were rescued.",
                                          "The city council approved a new budget for the library."])
    p = entailment(premise[None, :], entailed)[0], entailment(premise[None, :], unrelated)[0]
    assert 0.0 <= p[1] < p[0] <= 1.0
