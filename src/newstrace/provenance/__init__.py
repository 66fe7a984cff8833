"""Provenance: who copied or rewrote whom, passage by passage (issue 4; in progress).

`align.py` aligns two articles sentence by sentence into passages (verbatim, near-verbatim,
paraphrase); `score.py` turns an aligned pair into features for the derived / not decision.
Candidate generation, the pipeline stage, `derivations.jsonl`, `newstrace compare` and the
report view are still to come.
"""
