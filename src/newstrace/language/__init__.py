"""Language analysis: language identification, spaCy pipelines, sentences, entities, numbers,
dates and sentence embeddings. The per-article unit (`newstrace.unit`) runs it in worker
processes; nothing here knows the stages that read its output.
"""
