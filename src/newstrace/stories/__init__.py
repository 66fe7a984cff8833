"""Stories: grouping articles into the events they report, online (a corpus pass).

`cluster.py` is the clusterer and its model, `stage.py` the `Stories` stage, `records.py` the
export view and `evaluate.py` the BCubed scoring of the benchmark.
"""
