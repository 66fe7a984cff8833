"""CI floors for provenance on the shared development data (../shared/data/text-reuse).

The figures come from `python benchmarks/provenance_pairs.py`, `provenance_rewrites.py` and
`provenance_clough.py`; these tests run the shipped decision on a subset small enough for CI
(the first 25 BBC sources with their 75 LLM rewrites, 40 ECB+ articles as same-event pairs and
distractors, 40 random pairs; the whole Clough–Stevenson corpus) and fail if a change takes a figure under its
floor. They skip where the shared data is not beside the repository.
"""

import csv
import json
import random
from collections import defaultdict

import numpy as np
import pytest

from newstrace.unit.stage import Analyze
from newstrace.normalize.stages import FindArtefacts
from newstrace.pipeline import Pipeline, RunContext
from newstrace.provenance.decide import judge
from newstrace.provenance.score import doc_of
from newstrace.records import Article

from .helpers import SHARED

# Measured on this subset when the floors were set: accuracy@1 1.000 for each model, derived-vs-not
# F1 0.946 (same-event and random negatives; the model was fitted on data including these pairs, so this guards
# against regressions, the cross-validated figure is the benchmark's), Clough–Stevenson accuracy 0.789 with no
# 'non' answer called derived.
ACC1_FLOOR = 0.95
F1_FLOOR = 0.90
CLOUGH_FLOOR = 0.76


def _docs(items: list[tuple[str, str]]) -> dict:
    done: list[Article] = []
    Pipeline([FindArtefacts(), Analyze(jobs=2)]).run(
        [Article(id=i, text=t) for i, t in items], RunContext(on_article_done=done.append))
    return {a.id: doc_of(a) for a in done}


@pytest.fixture(scope="module")
def rewrites():
    shared = SHARED
    if not shared.is_dir():
        pytest.skip(f"needs the project's shared data beside the clone ({shared}); not present here")
    reuse = shared / "data" / "text-reuse" / "llm-rewrites.dev.jsonl"
    ecb_path = shared / "data" / "clustering" / "ecbplus.dev.jsonl"
    if not reuse.exists() or not ecb_path.exists():
        pytest.skip(f"needs {reuse} and {ecb_path}")
    rows = [json.loads(line) for line in reuse.read_text(encoding="utf-8").splitlines()]
    sources = [r for r in rows if r["kind"] == "source"][:25]
    keep = {r["id"] for r in sources}
    rws = [r for r in rows if r["kind"] == "rewrite" and r["source_id"] in keep]
    ecb = [json.loads(line) for line in ecb_path.read_text(encoding="utf-8").splitlines()]
    by_event = defaultdict(list)
    for r in ecb:
        by_event[r["event_cluster"]].append(r)
    chosen = [r for rs in list(by_event.values())[:20] if len(rs) >= 2 for r in rs[:2]][:40]
    docs = _docs([(r["id"], r["text"]) for r in sources + rws] + [(f"ecb-{r['doc_id']}", r["text"]) for r in chosen])
    return sources, rws, chosen, docs


def test_rewrite_sources_rank_first(rewrites):
    sources, rws, chosen, docs = rewrites
    pool = [r["id"] for r in sources] + [f"ecb-{r['doc_id']}" for r in chosen]
    hits = defaultdict(list)
    for r in rws:
        d = docs[r["id"]]
        sims = {c: float(d.vector @ docs[c].vector) for c in pool}
        cands = sorted(pool, key=lambda c: -sims[c])[:8]
        best = max(cands, key=lambda c: judge(d, docs[c]).score)
        hits[r["model"]].append(best == r["source_id"])
    for model, ok in hits.items():
        print(f"{model}: acc@1 {np.mean(ok):.3f}")
        assert np.mean(ok) >= ACC1_FLOOR, (model, np.mean(ok))


def test_derived_vs_not(rewrites):
    sources, rws, chosen, docs = rewrites
    pairs = [(r["id"], r["source_id"], True) for r in rws]
    by_event = defaultdict(list)
    for r in chosen:
        by_event[r["event_cluster"]].append(f"ecb-{r['doc_id']}")
    pairs += [(ids[0], ids[1], False) for ids in by_event.values() if len(ids) == 2]
    rng = random.Random(0)
    pool = [r["id"] for r in sources] + [f"ecb-{r['doc_id']}" for r in chosen]
    pairs += [(*rng.sample(pool, 2), False) for _ in range(40)]
    pred = np.array([judge(docs[a], docs[b]).is_derived for a, b, _ in pairs])
    gold = np.array([g for _, _, g in pairs])
    tp = float((pred & gold).sum())
    f1 = 2 * tp / max(1.0, pred.sum() + gold.sum())
    print(f"derived-vs-not F1 {f1:.3f} over {len(pairs)} pairs")
    assert f1 >= F1_FLOOR, f1


def test_clough_stevenson_derived_vs_non(shared_dir):
    folder = shared_dir / "data" / "text-reuse" / "clough-stevenson"
    if not folder.is_dir():
        pytest.skip(f"needs {folder}")

    def text(name: str) -> str:
        data = (folder / name).read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")

    with open(folder / "file_information.csv", encoding="utf-8", errors="replace") as f:
        info = [r for r in csv.DictReader(f) if r.get("File", "").endswith(".txt")
                and r.get("Category") in ("cut", "light", "heavy", "non")]
    assert len(info) > 50
    items = [(r["File"], text(r["File"])) for r in info]
    items += [(f"orig_task{t}.txt", text(f"orig_task{t}.txt")) for t in "abcde"]
    docs = _docs(items)
    right = []
    for r in info:
        v = judge(docs[r["File"]], docs[f"orig_task{r['Task']}.txt"])
        right.append(v.is_derived == (r["Category"] != "non"))
        if r["Category"] == "non":
            assert not v.is_derived, r["File"]
    print(f"Clough-Stevenson accuracy {np.mean(right):.3f}")
    assert np.mean(right) >= CLOUGH_FLOOR, np.mean(right)
