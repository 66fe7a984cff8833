"""Normalisation and artefacts: the analysis view of each text, and what is not the story.

`text.normalize_text` makes the analysis view and its offset map (the per-article unit calls it,
in the workers). Stages: `FindArtefacts` (repeated headlines, wire credits, dangling embeds,
boilerplate), `MarkDuplicates` (exact-duplicate articles).
"""
