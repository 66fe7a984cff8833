"""Claims: check-worthy claims and whether other reports support them (a corpus pass).

`extract.py` finds an article's claims, `support.py` judges one claim against one text,
`corpus.py` checks each article against its candidates, `stage.py` is the `Claims` pass and
`check.py` the `check-claims` command.
"""
