"""Attributions: who said what, according to whom (issue 5; in progress).

`extract.py` finds attributions (source, cue, content) in a parsed spaCy `Doc` with a cue
lexicon kept as data (`data/attribution_cues.toml`); measured by
`benchmarks/attribution_polnear.py`. Not yet a pipeline stage: source resolution, the outlet
chain, `attributions.jsonl` and the report view are still to come.
"""
