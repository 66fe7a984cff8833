"""Families of rewrites: fit the family model and measure the bars of provenance issue II.

    python benchmarks/provenance_families.py [--no-style] [--write-model]

Two corpora, each read in one stream as `newstrace analyze` reads it (the product's candidate
indexes: MinHash LSH for copies, the 8 nearest document vectors for rewrites; each pair judged
both ways by `decide.judge`), then decided at once by `family.decide`:
- **rewrites**: the 100 BBC sources of llm-rewrites.dev.jsonl, their 300 LLM rewrites (siblings
  all in the corpus) and the 772 ECB+ dev articles as distractors;
- **compilations**: compilations.dev.jsonl (50 sources, their 150 rewrites, 50 partial rewrites
  padded with material from articles not in the corpus) and the same ECB+ articles.

Two folds by source number (ECB+ by topic; see family_data.py). For each fold the originality
and parent models are fitted on the other fold's articles and the fold is decided with them,
so every figure printed is out of sample ("held-out"); the two folds' results are pooled.
`--no-style` switches the machine-phrasing signal off (fitted and decided without it).
`--write-model` fits both variants on everything and writes src/newstrace/data/family_model.json.
`--product` instead runs each corpus through `newstrace analyze` itself with the shipped models
(fitted on all of it: in-sample figures) and reads the figures from derivations.jsonl.

Printed, per corpus:
- rewrites: share whose best-ranked source is their original, per rewriting model; share judged
  derived from their original; sources judged derived from anything;
- compilations: share judged derived from the right family (an edge to `source_id` or `base_id`)
  and share whose best-ranked source is one of those two;
- siblings: pairs of rewrites of one source with a derivation between them (either way);
- independent reports: derivations between an ECB+ article and a rewrite-data article; derived
  ECB+ pairs, with the share of the derived text copied word for word (a shared wire text).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import family_data as fd  # noqa: E402
from fitting import fit_logistic, probability  # noqa: E402

from newstrace.provenance.align import units  # noqa: E402
from newstrace.provenance.candidates import CandidateIndex, minhash  # noqa: E402
from newstrace.provenance.decide import default_model, judge, row_of  # noqa: E402
from newstrace.provenance.family import (  # noqa: E402
    DERIVED_FEATURES, PARENT_FEATURES, FamilyModel, Member, Pair, candidate_features, decide, derived_features, groups,
    human_uncopied, unexplained)
from newstrace.provenance.score import make_doc  # noqa: E402
from newstrace.provenance.signals import ARTICLE_FEATURES, score_articles  # noqa: E402
from newstrace.provenance.stage import substantive  # noqa: E402

MODEL = fd.ROOT / "src" / "newstrace" / "data" / "family_model.json"
CORPORA = ("rewrites", "compilations")
# Two ECB+ reports share a wire text when this much of one is copied word for word from the other.
WIRE = 0.3


def parents_of(m: dict) -> set[str]:
    if m["kind"] == "rewrite":
        return {m["source_id"]}
    if m["kind"] == "compilation":
        return {m["source_id"], m["base_id"]}
    return set()


def prepare() -> tuple[dict, dict[str, dict[str, Member]], dict[str, list[Pair]]]:
    """Labels, the members of each corpus and its judged pairs (cached: judging takes a minute)."""
    meta = fd.metadata()
    arts = fd.load()
    key = fd.CACHE / f"family-pairs-{_code_key()}.pkl"
    if key.exists():
        return pickle.loads(key.read_bytes())
    sigs = {s.article_id: s for s in score_articles(list(arts.values()), [True] * len(arts))}
    docs = {}
    for i, a in arts.items():
        ss = [(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]
        docs[i] = make_doc(i, units(ss), a.sentence_vectors)
    model = default_model()
    members: dict[str, dict[str, Member]] = {}
    pairs: dict[str, list[Pair]] = {}
    for corpus in CORPORA:
        ids = [i for i, m in meta.items() if corpus in m["corpora"]]
        members[corpus] = {i: Member(i, k, None, sigs[i], [u.end - u.start for u in docs[i].units])
                           for k, i in enumerate(ids)}
        index, keys, out = CandidateIndex(), {}, []
        t = time.time()
        for k, i in enumerate(ids, 1):
            d = docs[i]
            if not substantive(d):
                continue
            mh = minhash(" ".join(u.text for u in d.units))
            for key_, found_by in index.query(mh, d.vector).items():
                v = judge(d, docs[keys[key_]], model=model)
                out.append(Pair.from_row(json.loads(json.dumps(row_of(v, found_by)))))
            index.add(k, mh, d.vector)
            keys[k] = i
        pairs[corpus] = out
        print(f"{corpus}: {len(ids)} articles, {len(out)} pairs judged in {time.time() - t:.0f} s", file=sys.stderr)
    result = (meta, members, pairs)
    key.write_bytes(pickle.dumps(result))
    return result


def _code_key() -> str:
    import hashlib

    src = fd.ROOT / "src" / "newstrace" / "provenance"
    h = hashlib.sha1()
    for name in ("align.py", "score.py", "decide.py", "signals.py", "style.py", "candidates.py"):
        h.update((src / name).read_bytes())
    h.update((fd.ROOT / "src" / "newstrace" / "data" / "provenance_model.json").read_bytes())
    h.update((fd.ROOT / "src" / "newstrace" / "data" / "style_model.npz").read_bytes())
    return h.hexdigest()[:10]


def _by_article(pairs: list[Pair], grouped: bool = False) -> dict[str, dict[str, Pair]]:
    """Each article's judged pairs by partner; `grouped`: only pairs within a related group, as
    `family.decide` sees them."""
    group_of = {i: k for k, g in enumerate(groups((p.a, p.b, p.related) for p in pairs)) for i in g}
    out: dict[str, dict[str, Pair]] = defaultdict(dict)
    for p in pairs:
        if grouped and (p.a not in group_of or group_of[p.a] != group_of.get(p.b)):
            continue
        out[p.a][p.b] = p
        out[p.b][p.a] = p
    return out


def _family(meta: dict, i: str) -> str:
    m = meta[i]
    return m.get("source_id") or i


def fit(meta: dict, members: dict[str, dict[str, Member]], pairs: dict[str, list[Pair]], train: set[str],
        use_style: bool) -> dict:
    """Originality and parent models fitted on the articles in `train` (both corpora)."""
    # Originality: each (source, derived) pair of the training articles, both ways round.
    xo, yo = [], []
    seen = set()
    for corpus in CORPORA:
        for i, m in members[corpus].items():
            if i not in train or i in seen:
                continue
            seen.add(i)
            for p in parents_of(meta[i]):
                if p in members[corpus]:
                    d = np.subtract(members[corpus][p].signals.features(use_style), m.signals.features(use_style))
                    xo += [d, -d]
                    yo += [1, 0]
    ow, _ = fit_logistic(np.array(xo), np.array(yo, dtype=float))
    ow = np.round(ow, 5)
    probe = FamilyModel(ow, np.zeros(len(PARENT_FEATURES)), 0.0, np.zeros(len(DERIVED_FEATURES)), 0.0, 0.5, use_style)
    x, y, groups, partners = [], [], [], []
    for corpus in CORPORA:
        mem, by = members[corpus], _by_article(pairs[corpus], grouped=True)
        added = {i: unexplained(mem[i], mine) for i, mine in by.items()}
        for a, mine in by.items():
            if a not in train:
                continue
            features = candidate_features(probe, mem[a], mine, mem, added)
            for xid in mine:
                if meta[a]["kind"] == "distractor" and max(mine[xid].ab.copied, mine[xid].ba.copied) >= WIRE:
                    continue  # ECB+ articles that share a wire text: derived or not, the labels do not say
                x.append(features[xid])
                y.append(xid in parents_of(meta[a]))
                groups.append((corpus, a))
                partners.append(xid)
    x, y = np.array(x), np.array(y, dtype=float)
    w, b = fit_logistic(x, y)
    p = probability(w, b, x)
    # Derived or not: each training article's best-ranked candidate; label: the article has a
    # source here (a rewrite, a partial rewrite) or not (a source, an independent report).
    best: dict[tuple[str, str], tuple[float, list[float]]] = {}
    most: dict[tuple[str, str], float] = defaultdict(float)
    copied_at = PARENT_FEATURES.index("copied")
    top: dict[tuple[str, str], str] = {}
    for g, pi, xi, xid in zip(groups, p, x, partners):
        most[g] = max(most[g], float(xi[copied_at]))
        if g not in best or pi > best[g][0]:
            best[g] = (pi, xi.tolist())
            top[g] = xid
    xd = np.array([derived_features(pi, xi, most[g], human_uncopied(probe, members[g[0]][g[1]],
                                                                   members[g[0]][top[g]], most[g]))
                   for g, (pi, xi) in best.items()])
    yd = np.array([bool(parents_of(meta[g[1]])) for g in best], dtype=float)
    # Each kind of article (original, independent report, rewrite, partial rewrite) weighs the
    # same in the fit and in the threshold: the partial rewrites are few but as important.
    kinds = [meta[g[1]]["kind"] for g in best]
    count = Counter(kinds)
    sw = np.array([len(kinds) / (len(count) * count[k]) for k in kinds])
    wd, bd = fit_logistic(xd, yd, sample_weight=sw)
    pd_ = probability(wd, bd, xd)
    th = max(np.arange(0.05, 0.951, 0.025), key=lambda t: float(np.sum(sw * ((pd_ >= t) == (yd == 1)))))
    return {"originality": ow.tolist(), "parent_features": PARENT_FEATURES,
            "weights": [round(v, 5) for v in w.tolist()], "bias": round(b, 5),
            "derived_features": DERIVED_FEATURES, "derived_weights": [round(v, 5) for v in wd.tolist()],
            "derived_bias": round(bd, 5), "threshold": round(float(th), 3)}


def evaluate(meta: dict, members: dict[str, Member], pairs: list[Pair], model: FamilyModel, fold: int | None,
             corpus: str) -> dict:
    dec = decide(members, pairs, model)
    keep = {i for i in members if fold is None or meta[i]["fold"] == fold}
    edges = defaultdict(set)
    for e in dec.edges:
        edges[e.derived].add(e.source)
    out: dict = defaultdict(list)
    for i in keep:
        m = meta[i]
        top = dec.candidates.get(i, [])
        best = top[0].source if top else None
        if m["kind"] == "rewrite" and corpus == "rewrites":
            out[f"best-ranked source is the original: {m['model']}"].append(best == m["source_id"])
            out[f"judged derived from the original: {m['model']}"].append(m["source_id"] in edges[i])
        elif m["kind"] == "compilation":
            right = parents_of(m)
            out[f"partial rewrites judged derived from the right family: {m['model']}"].append(bool(edges[i] & right))
            out[f"partial rewrites with the right family ranked first: {m['model']}"].append(best in right)
            out["partial rewrites judged derived from the right family"].append(bool(edges[i] & right))
            out["partial rewrites with the right family ranked first"].append(best in right)
            out["partial rewrites judged derived from their base rewrite"].append(m["base_id"] in edges[i])
        elif m["kind"] == "source":
            out["sources judged derived from another article"].append(bool(edges[i]))
    fam = defaultdict(list)
    for i in keep:
        if meta[i]["kind"] == "rewrite":
            fam[meta[i]["source_id"]].append(i)
    for rws in fam.values():
        for k, a in enumerate(rws):
            for b in rws[k + 1:]:
                out["sibling pairs called derived from each other"].append(b in edges[a] or a in edges[b])
    ecb_x, ecb_ecb = 0, []
    for e in dec.edges:
        kinds = {meta[e.derived]["kind"] == "distractor", meta[e.source]["kind"] == "distractor"}
        if e.derived in keep or e.source in keep:
            if kinds == {True, False}:
                ecb_x += 1
            elif kinds == {True}:
                p = _by_article(pairs)[e.derived][e.source].reading(e.derived)
                ecb_ecb.append((e.derived, e.source, p.copied, meta[e.derived]["event"] == meta[e.source]["event"]))
    out["_ecb_cross"] = ecb_x
    out["_ecb_pairs"] = ecb_ecb
    out["_relations"] = Counter((meta[e.derived]["kind"], e.relation) for e in dec.edges if e.derived in keep)
    return out


def product(meta: dict) -> None:
    """Each corpus through `newstrace analyze` itself (the shipped models, fitted on all of this
    data: in-sample), the figures read from derivations.jsonl: the pipeline gives what the
    benchmark's streams give."""
    from newstrace.runner import AnalyzeOptions, analyze

    texts = fd.texts()
    for corpus in CORPORA:
        ids = [i for i, m in meta.items() if corpus in m["corpora"]]
        run_dir = fd.CACHE / f"family-run-{corpus}"
        run_dir.mkdir(parents=True, exist_ok=True)
        data = run_dir / "corpus.jsonl"
        data.write_text("".join(json.dumps({"id": i, "text": texts[i]}) + "\n" for i in ids), encoding="utf-8")
        t = time.time()
        result = analyze([str(data)], run_dir / "out", AnalyzeOptions(report=False, claims=False, events=False))
        stages = {s["stage"]: s["seconds"] for s in result.summary.to_json()["stages"]}
        rows = [json.loads(x) for x in (run_dir / "out" / "derivations.jsonl").read_text().splitlines()]
        edges = defaultdict(set)
        best = {}
        for r in rows:
            if r["derived"]:
                edges[r["derived_id"]].add(r["source_id"])
            if r.get("rank") == 1:
                best[r["derived_id"]] = r["source_id"]
        out = defaultdict(list)
        for i in ids:
            m = meta[i]
            if m["kind"] == "rewrite" and corpus == "rewrites":
                out[f"best-ranked source is the original: {m['model']}"].append(best.get(i) == m["source_id"])
                out[f"judged derived from the original: {m['model']}"].append(m["source_id"] in edges[i])
            elif m["kind"] == "compilation":
                out["partial rewrites judged derived from the right family"].append(bool(edges[i] & parents_of(m)))
                out["partial rewrites with the right family ranked first"].append(best.get(i) in parents_of(m))
            elif m["kind"] == "source":
                out["sources judged derived from another article"].append(bool(edges[i]))
        sib = [r for r in rows if r["derived"] and meta[r["derived_id"]]["kind"] == "rewrite"
               and meta[r["source_id"]]["kind"] == "rewrite"
               and meta[r["derived_id"]]["source_id"] == meta[r["source_id"]]["source_id"]]
        cross = [r for r in rows if r["derived"] and (meta[r["derived_id"]]["kind"] == "distractor")
                 != (meta[r["source_id"]]["kind"] == "distractor")]
        print(f"[{corpus} corpus through newstrace analyze, in-sample: {len(ids)} articles in {time.time() - t:.0f} s]")
        for name, v in sorted(out.items()):
            print(f"  {name}: {np.mean(v):.3f} ({sum(v)}/{len(v)})")
        n_sib = 3 * sum(1 for m in meta.values() if m["kind"] == "source" and corpus in m["corpora"])
        print(f"  sibling pairs called derived from each other: {len(sib)}/{n_sib}")
        print(f"  derivations between an ECB+ article and a rewrite-data article: {len(cross)}")
        print(f"  stage seconds: {stages}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-style", action="store_true", help="fit and decide without the machine-phrasing signal")
    ap.add_argument("--write-model", action="store_true", help=f"fit both variants on everything and write {MODEL}")
    ap.add_argument("--verbose", action="store_true", help="list the derived ECB+ pairs that share no wire text")
    ap.add_argument("--product", action="store_true",
                    help="also run each corpus through `newstrace analyze` with the shipped models (in-sample)")
    args = ap.parse_args()
    if args.product:
        product(fd.metadata())
        return
    meta, members, pairs = prepare()
    use_style = not args.no_style
    pooled: dict[str, dict] = {c: defaultdict(list) for c in CORPORA}
    for k in (0, 1):
        train = {i for i, m in meta.items() if m["fold"] != k}
        part = fit(meta, members, pairs, train, use_style)
        model = FamilyModel(np.array(part["originality"]), np.array(part["weights"]), part["bias"],
                            np.array(part["derived_weights"]), part["derived_bias"], part["threshold"], use_style)
        print(f"fold {k} held out: fitted on the other fold: threshold {part['threshold']}, weights "
              + ", ".join(f"{n} {w:+.2f}" for n, w in zip(PARENT_FEATURES, part["weights"])))
        for corpus in CORPORA:
            res = evaluate(meta, members[corpus], pairs[corpus], model, k, corpus)
            for name, v in res.items():
                if name == "_ecb_cross":
                    pooled[corpus][name] = pooled[corpus].get(name, 0) + v
                elif name == "_relations":
                    pooled[corpus].setdefault(name, Counter()).update(v)
                else:
                    pooled[corpus][name] += v
    print(f"\nheld-out figures ({'with' if use_style else 'without'} the machine-phrasing signal), both folds pooled:")
    for corpus in CORPORA:
        print(f"[{corpus} corpus]")
        for name, v in sorted(pooled[corpus].items()):
            if name.startswith("_"):
                continue
            print(f"  {name}: {np.mean(v):.3f} ({sum(v)}/{len(v)})")
        print(f"  derivations between an ECB+ article and a rewrite-data article: {pooled[corpus]['_ecb_cross']}")
        ecb = pooled[corpus]["_ecb_pairs"]
        wire = sum(1 for *_, c, _ in ecb if c >= WIRE)
        print(f"  derived ECB+ pairs: {len(ecb)}, of which sharing a wire text (30% or more of the derived text "
              f"copied word for word): {wire}; same event: {sum(1 for *_, s in ecb if s)}")
        low = [c for *_, c, _ in ecb if c < WIRE]
        print(f"    the others: {sum(c == 0 for c in low)} with nothing copied word for word, "
              f"{sum(0 < c < 0.1 for c in low)} under 10%, {sum(0.1 <= c < WIRE for c in low)} 10-30%")
        if args.verbose:
            for d, s, c, same in ecb:
                if c < WIRE:
                    print(f"    not a shared wire text: {d} < {s}: copied {c:.2f}, same event {same}")
        print("  relations of the derivations found: " + ", ".join(
            f"{k[0]}/{k[1]} {n}" for k, n in sorted(pooled[corpus]["_relations"].items())))
    if args.write_model:
        every = set(meta)
        data = {"article_features": ARTICLE_FEATURES, "fitted_on": "benchmarks/provenance_families.py"}
        for name, style in (("with_style", True), ("without_style", False)):
            data[name] = fit(meta, members, pairs, every, style)
        MODEL.write_text(json.dumps(data, indent=1) + "\n")
        print("wrote", MODEL)


if __name__ == "__main__":
    main()
