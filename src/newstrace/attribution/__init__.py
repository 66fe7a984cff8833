"""Attributions: who said what, according to whom.

`extract.py` finds attributions (source, cue, content) in a parsed spaCy `Doc` with a cue
lexicon kept as data (`data/attribution_cues.toml`); `resolve.py` says who each source is and
through which outlets; `records.py` makes `attributions.jsonl` records. Run by the per-article
unit (`newstrace.unit`) on its parse; measured by `benchmarks/attribution_polnear.py`.
"""
