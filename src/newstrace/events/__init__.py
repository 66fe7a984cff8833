"""Events: who did what to whom, coded in CAMEO from the parse (run by the per-article unit).

`coder.py` codes a parsed sentence with its parts: `triggers.py` (which event a token heads),
`modality.py` (its mode), `arguments.py` (its source and target) and `mentions.py` (the actor
a noun phrase names). `dictionary.py`, `words.py`, `actors.py` and `codes.py` read the data
files, `records.py` makes `events.jsonl` records and `gdelt.py` the GDELT 2.0 export.
"""
