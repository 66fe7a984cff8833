"""Provenance ranking on LLM rewrites (../shared/data/text-reuse/llm-rewrites.dev.jsonl).

    python benchmarks/provenance_rewrites.py [--distractors 772]

One corpus: the 100 BBC sources, their 300 rewrites (GPT-3.5-Turbo, GPT-4o, Llama-3-70B)
and ECB+ articles as distractors (../shared/data/clustering/ecbplus.dev.jsonl). For each
rewrite every other article of the corpus is a candidate source, the other rewrites of the
same source included; printed: accuracy@1 and MRR of the true source, per rewriting model,
for each scoring function. Scorers marked [sources+distractors] rank only the sources and
the distractors (the protocol of ../shared/data/README.md: "rank all sources for each
rewrite"); the others rank every article, so the rewrite's siblings (the other models'
rewrites of the same source) compete with its source. Articles are analysed and their sentences embedded by newstrace
itself (cached under benchmarks/results/).
"""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter
import json
import pickle
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.unit.stage import Analyze  # noqa: E402
from newstrace.language.embed import embed, fingerprint  # noqa: E402
from newstrace.normalize.stages import FindArtefacts  # noqa: E402
from newstrace.pipeline import Pipeline, RunContext  # noqa: E402
from newstrace.provenance.align import align, units  # noqa: E402
from newstrace.provenance.candidates import NEIGHBOURS  # noqa: E402
from newstrace.provenance.decide import Model  # noqa: E402
from newstrace.provenance.score import make_doc, pair_features  # noqa: E402
from newstrace.records import Article  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
REWRITES = SHARED / "text-reuse" / "llm-rewrites.dev.jsonl"
ECB = SHARED / "clustering" / "ecbplus.dev.jsonl"
CACHE = ROOT / "benchmarks" / "results"


def load(distractors: int) -> tuple[list[dict], dict[str, dict]]:
    rows = [json.loads(line) for line in REWRITES.read_text(encoding="utf-8").splitlines()]
    ecb = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()][:distractors]
    rows += [{"id": f"ecb-{r['doc_id']}", "kind": "distractor", "text": r["text"]} for r in ecb]
    key = hashlib.sha1(json.dumps([r["id"] for r in rows]).encode() + REWRITES.read_bytes()
                       + fingerprint().encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    cache = CACHE / f"provenance-{key}.pkl"
    if cache.exists():
        docs = pickle.loads(cache.read_bytes())
    else:
        done: list[Article] = []
        Pipeline([FindArtefacts(), Analyze(jobs=2)]).run(
            [Article(id=r["id"], text=r["text"]) for r in rows], RunContext(on_article_done=done.append))
        docs = {}
        for a in done:
            sents = [(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]
            docs[a.id] = {"sentences": sents, "vectors": embed([t for _, _, t in sents])}
        cache.write_bytes(pickle.dumps(docs))
    return rows, docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distractors", type=int, default=772)
    args = ap.parse_args()
    rows, docs = load(args.distractors)
    ids = [r["id"] for r in rows]
    meta = {r["id"]: r for r in rows}
    doc_vec = {}
    for i in ids:
        v = docs[i]["vectors"]
        m = v.mean(axis=0) if len(v) else np.zeros(384, np.float32)
        doc_vec[i] = m / (np.linalg.norm(m) or 1.0)
    mat = np.vstack([doc_vec[i] for i in ids])
    unit_cache = {i: units(docs[i]["sentences"]) for i in ids}
    scores = defaultdict(list)  # scorer -> list of (model, rank)
    model = Model.load()
    pdocs = {i: make_doc(i, unit_cache[i], docs[i]["vectors"]) for i in ids}
    in_reach: dict[str, list[bool]] = defaultdict(list)
    wrong: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        if r["kind"] != "rewrite":
            continue
        rid = r["id"]
        # candidates: top 20 by document embedding, the rest ranked below them
        sims = mat @ doc_vec[rid]
        order = [ids[j] for j in np.argsort(-sims) if ids[j] != rid][:20]
        dv = docs[rid]["vectors"]
        du = unit_cache[rid]
        cand_scores = {"doc_cosine": {c: float(sims[ids.index(c)]) for c in order}}
        for c in order:
            sv = docs[c]["vectors"]
            al = align(du, unit_cache[c], dv, sv)
            dlen = np.array([u.end - u.start for u in du], dtype=float)
            cov_d = float(dlen[al.derived_aligned].sum() / dlen.sum()) if dlen.sum() else 0.0
            mean_max = float((dv @ sv.T).max(axis=1).mean()) if len(dv) and len(sv) else 0.0
            cand_scores.setdefault("coverage_derived", {})[c] = cov_d
            cand_scores.setdefault("mean_max_cos", {})[c] = mean_max
            back = float((sv @ dv.T).max(axis=1).mean()) if len(dv) and len(sv) else 0.0
            cand_scores.setdefault("mean_max-0.5back", {})[c] = mean_max - 0.5 * back
            cand_scores.setdefault("newstrace model", {})[c] = model.probability(
                pair_features(pdocs[rid], pdocs[c])[0])
        mm = cand_scores["mean_max_cos"]
        group = sorted(mm, key=lambda c: -mm[c])[:5]

        def mmx(x, y):
            a, b = docs[x]["vectors"], docs[y]["vectors"]
            return float((a @ b.T).max(axis=1).mean()) if len(a) and len(b) else 0.0

        for lam in (1.0,):  # candidate's support of the other top candidates (sources explain them all)
            hub = {}
            for c in group:
                others = [x for x in group if x != c]
                hub[c] = mm[c] + lam * float(np.mean([mmx(x, c) for x in others]))
            cand_scores[f"hub{lam}"] = hub
        in_reach[r["model"]].append(r["source_id"] in order[:NEIGHBOURS])
        for name in ("doc_cosine", "mean_max_cos", "newstrace model"):
            cand_scores[f"{name} [sources+distractors]"] = {
                c: v for c, v in cand_scores[name].items() if meta[c]["kind"] != "rewrite"}
        for name, sc in cand_scores.items():
            ranked = sorted(sc, key=lambda c: -sc[c])
            rank = ranked.index(r["source_id"]) + 1 if r["source_id"] in ranked else 999
            if rank > 1:
                wrong[name][meta[ranked[0]]["kind"]] += 1
            scores[name].append((r["model"], rank))
    for name, res in scores.items():
        by_model = defaultdict(list)
        for m, rank in res:
            by_model[m].append(rank)
        parts = []
        for m, ranks in sorted(by_model.items()):
            acc = np.mean([k == 1 for k in ranks])
            mrr = np.mean([1 / k for k in ranks])
            parts.append(f"{m}: acc@1 {acc:.3f} MRR {mrr:.3f}")
        print(f"{name:>18}: " + "; ".join(parts) + f"; wrong top: {dict(wrong[name])}")
    print(f"candidate recall (true source among the {NEIGHBOURS} nearest document vectors, what the pipeline's "
          "vector index returns): " + "; ".join(f"{m} {np.mean(v):.3f}" for m, v in sorted(in_reach.items())))


if __name__ == "__main__":
    main()
