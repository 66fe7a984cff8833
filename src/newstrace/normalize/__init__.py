"""Normalisation and artefacts: the analysis view of each text, and what is not the story.

Stages: `Normalize` (analysis view + offset map), `FindArtefacts` (repeated headlines,
wire credits, dangling embeds, boilerplate), `MarkDuplicates` (exact-duplicate articles).
"""
