"""Provenance: who copied or rewrote whom, passage by passage (a corpus pass).

`candidates.py` finds candidate pairs (MinHash LSH, HNSW), `align.py` aligns two articles into
passages (verbatim, near-verbatim, paraphrase), `score.py` and `decide.py` judge a pair both
ways, `family.py` decides each related group at once, `signals.py` and `style.py` read one
article's rewriting signals, `stage.py` holds the `Provenance` and `Families` stages and
`records.py` the export views.
"""
