"""Events: who did what to whom, coded in CAMEO from the parse (run by the per-article unit).

`coder.py` codes a parsed sentence, `dictionary.py`, `actors.py` and `codes.py` read the data
files, `records.py` makes `events.jsonl` records and `gdelt.py` the GDELT 2.0 export.
"""
