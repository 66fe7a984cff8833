"""Language analysis: language identification, sentences, entities, numbers and dates.

`Analyze` is the pipeline stage; the work itself (`nlp.analyze_batch`) runs in worker
processes so both cores parse.
"""
