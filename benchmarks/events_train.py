"""Train the event coder's linker and categoriser (`newstrace.events.learned`), measured by
cross-validation.

    python benchmarks/events_train.py [--write-model] [--folds 5]

Labelled data (../shared/data/event-coding), the fit parts only (the held-out parts, 30% of
each set by a hash of the id, the same split as benchmarks/events_plover.py and
benchmarks/events_coding.py, are never read here):

- plv_train.jsonl: news sentences with one (source, target) pair marked and its PLOVER
  category. A candidate whose subject side overlaps the marked source and whose object side
  overlaps the marked target is that event; every other candidate of the sentence is not.
- codebook_with_actors.dev.jsonl: sentences with the gold events' source and target countries
  and CAMEO codes. A candidate whose two sides resolve to a gold event's two countries is that
  event (category: the code's PLOVER category); the others are not.

General news, unlabelled: the ECB+ articles of ../shared/data/clustering (sport, film, crime,
disasters, some politics), split the same way; the fit part trains the gate (true pairs
against every candidate there, positive-unlabelled), the held-out part counts the model events
the chosen thresholds would add there on verbs the rules did not code.

Every sentence is coded by newstrace itself (`code_articles`, rules and all), which gathers each
candidate with the features the coder will give the model at run time (`Coder.collect`).

Printed, from k-fold cross-validation grouped by sentence over the fit parts:
- linker ROC AUC; categoriser accuracy on the true pairs (with and without the sentence vector);
- for a range of thresholds, what the combination with the rules gives on plv_train's fit part:
  the share of marked pairs linked with the right category, and the model events that are not
  the marked pair per sentence; the threshold chosen maximises the F1 of the first against the
  precision of the model's events.
The thresholds chosen maximise the mean of the two (plv right, codebook dyad F1) among the
policies the coder can run, with at most 0.1 model events per general-news article off the
rules' verbs. `--write-model` fits the models on all of the fit parts and writes
src/newstrace/data/event_model.npz.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from events_plover import DATA as PLV, FOLD, judge, part_of, spans  # noqa: E402

from newstrace.commands.events import code_articles  # noqa: E402
from newstrace.events.actors import cameo_country  # noqa: E402
from newstrace.events.codes import code_table, plover_of  # noqa: E402
from newstrace.events.learned import MODEL_FILE  # noqa: E402
from newstrace.events.records import coder  # noqa: E402
from newstrace.language.embed import sentence_model  # noqa: E402
from newstrace.records import Article  # noqa: E402

CODEBOOK = PLV.parent / "codebook_with_actors.dev.jsonl"
ECB = PLV.parents[1] / "clustering" / "ecbplus.dev.jsonl"
OUT = ROOT / "src" / "newstrace" / "data" / MODEL_FILE
THRESHOLDS = [round(x, 2) for x in np.arange(0.2, 0.96, 0.05)]


def _ov(a: tuple[int, int], b: tuple[int, int] | None) -> bool:
    return b is not None and a[0] < b[1] and b[0] < a[1]


RESULTS = ROOT / "benchmarks" / "results"


def gather(texts: list[str]) -> tuple[list[list[dict]], list[list[dict]]]:
    """(candidates, rule events) of each text, coded as an article of its own by the rules; cached
    in benchmarks/results/ by the texts and the code of the coder and its data."""
    import hashlib
    import pickle

    from newstrace.digest import code_digest

    h = hashlib.sha1("\x00".join(texts).encode())
    src = ROOT / "src" / "newstrace"
    h.update(code_digest([p.read_text("utf-8") for p in sorted((src / "events").glob("*.py"))]).encode())
    for name in ("cameo_verbs.toml", "event_words.toml", "actors.toml", "places.toml", "cities.tsv"):
        h.update((ROOT / "src" / "newstrace" / "data" / name).read_bytes())
    cache = RESULTS / f"events-candidates-{h.hexdigest()[:12]}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    got = _gather(texts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump(got, fh)
    return got


def _gather(texts: list[str]) -> tuple[list[list[dict]], list[list[dict]]]:
    c = coder()
    model, c.model = c.model, None  # the rules alone: the model must not see its own output
    cands, events = [], []
    try:
        for i, t in enumerate(texts):
            c.collect = []
            a = Article(id=f"t{i}", text=t)
            code_articles([a])
            cands.append(c.collect)
            events.append(a.events)
    finally:
        c.collect, c.model = None, model
    return cands, events


# Features whose every weight is at most this in size are left out of the written model: each
# moves a score by at most this, and about a third of the vocabulary goes (every analysis worker
# holds the vocabulary).
PRUNE = 1e-3
WEIGHTS = ("link_w", "gate_w", "gate_sparse_w", "link_sparse_w", "cat_w", "cat_sparse_w")


def prune(arrays: dict[str, np.ndarray], threshold: float) -> dict[str, np.ndarray]:
    """The model's arrays without the features whose weights are all at most `threshold` in size
    (the sentence vector's weights and the biases, after the features, are kept)."""
    nv = len(arrays["vocab"])
    size = np.zeros(nv, np.float32)
    for k in WEIGHTS:
        a = np.abs(arrays[k].astype(np.float32))
        size = np.maximum(size, a[..., :nv] if a.ndim == 1 else a[:, :nv].max(axis=0))
    keep = np.flatnonzero(size > threshold)
    out = dict(arrays)
    out["vocab"] = arrays["vocab"][keep]
    for k in WEIGHTS:
        a = arrays[k]
        out[k] = np.concatenate([a[keep], a[nv:]]) if a.ndim == 1 else np.hstack([a[:, keep], a[:, nv:]])
    return out


def category(code: str | None) -> str | None:
    p = plover_of(code) if code else None
    return FOLD.get(p or "", p)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--link-c", type=float, default=1.0, help="inverse regularisation of the linker")
    ap.add_argument("--cat-c", type=float, default=4.0, help="inverse regularisation of the categoriser")
    ap.add_argument("--prune", type=float, default=PRUNE,
                    help="leave out of the written model the features whose every weight is at most this in size")
    ap.add_argument("--prune-only", action="store_true",
                    help="prune the model file as it is (no training) and write it back")
    args = ap.parse_args()
    if args.prune_only:
        with np.load(OUT, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        before = len(arrays["vocab"])
        np.savez_compressed(OUT, **prune(arrays, args.prune))
        with np.load(OUT, allow_pickle=False) as z:
            print(f"{OUT}: {before} features, {len(z['vocab'])} kept ({OUT.stat().st_size // 1024} KB)")
        return 0
    if not PLV.exists():
        print(f"needs {PLV} (the shared development data)", file=sys.stderr)
        return 2
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    t0 = time.perf_counter()
    plv = [json.loads(line) for line in PLV.open(encoding="utf-8") if line.strip()]
    plv = [r for r in plv if part_of(r["id"]) == "fit"]
    cb = [json.loads(line) for line in CODEBOOK.open(encoding="utf-8") if line.strip()]
    cb = [r for r in cb if part_of(r["id"]) == "fit"]
    plv_items = [(r, *spans(r["marked_sentence"])) for r in plv]
    texts = [text for _, text, _ in plv_items] + [r["text"] for r in cb]
    cands, rule_events = gather(texts)
    print(f"{len(plv)} plv_train and {len(cb)} codebook sentences (fit parts) coded in {time.perf_counter() - t0:.0f} s; "
          f"{sum(map(len, cands))} candidates")
    # general news, unlabelled: ECB+ articles (sport, film, crime, disasters, some politics)
    ecb = [json.loads(line) for line in ECB.open(encoding="utf-8") if line.strip()]
    general = {part: [r["text"] for r in ecb if part_of(r["doc_id"]) == part] for part in ("fit", "held-out")}
    t1 = time.perf_counter()
    general_fit, general_fit_events = gather(general["fit"])
    general_out, general_out_events = gather(general["held-out"])
    print(f"{len(ecb)} ECB+ articles (general news, unlabelled) coded in {time.perf_counter() - t1:.0f} s")

    rows, link, cat, group = [], [], [], []
    for k, cs in enumerate(cands):
        if k < len(plv_items):
            r, _, where = plv_items[k]
            s, t = where.get("s"), where.get("t")
            gold = FOLD.get(r["plover"], r["plover"])
            for c in cs:
                yes = _ov(tuple(c["source"]), s) and _ov(tuple(c["target"]), t)
                rows.append(c), link.append(int(yes)), cat.append(gold if yes else None), group.append(k)
        else:
            r = cb[k - len(plv_items)]
            gold = {(cameo_country(g["source"]), cameo_country(g["target"])): category(g["code"])
                    for g in r["expected"] if g.get("source") and g.get("target")}
            for c in cs:
                got = gold.get((c["source_country"], c["target_country"]))
                rows.append(c), link.append(int(got is not None)), cat.append(got), group.append(k)
    link_y, group_a = np.array(link), np.array(group)
    u_rows = [c for cs in general_fit for c in cs if c["actorish"]]
    u_group = np.array([k for k, cs in enumerate(general_fit) for c in cs if c["actorish"]])
    dv = DictVectorizer()
    dv.fit([c["features"] for c in rows] + [c["features"] for c in u_rows])
    dim = next((len(c["vector"]) for c in rows if c["vector"] is not None), 0)

    def matrices(cs):
        sparse = dv.transform([c["features"] for c in cs]).tocsr()
        dense = np.zeros((len(cs), dim), np.float32)
        for i, c in enumerate(cs):
            if c["vector"] is not None:
                dense[i] = c["vector"]
        return sparse, hstack([sparse, csr_matrix(dense)]).tocsr()

    xs, xd = matrices(rows)
    us, ud = matrices(u_rows)
    print(f"{xs.shape[1]} sparse features, sentence vectors of {dim}; {int(link_y.sum())} true pairs "
          f"of {len(rows)} candidates; categories {Counter(x for x in cat if x).most_common()}")

    def fit(x, idx):
        lk = LogisticRegression(C=args.link_c, max_iter=4000).fit(x[idx], link_y[idx])
        pos = idx[link_y[idx] == 1]
        ct = LogisticRegression(C=args.cat_c, max_iter=4000).fit(x[pos], np.array(cat, dtype=object)[pos])
        return lk, ct

    # cross-validation, grouped by sentence
    folds = GroupKFold(args.folds)
    p_link = {"both": np.zeros(len(rows)), "sparse": np.zeros(len(rows))}
    p_cat: dict[str, list] = {"both": [None] * len(rows), "sparse": [None] * len(rows)}
    p_conf = np.zeros(len(rows))
    lemma_of = [next(f[2:] for f in c["features"] if f.startswith("t=")) for c in rows]
    known_at: list[set[str]] = [set()] * len(rows)  # the verbs of true pairs in the other folds
    for tr, te in folds.split(xs, link_y, group_a):
        known = {lemma_of[i] for i in tr if link_y[i]}
        for i in te:
            known_at[i] = known
        for name, x in (("both", xd), ("sparse", xs)):
            lk, ct = fit(x, tr)
            p_link[name][te] = lk.predict_proba(x[te])[:, 1]
            probs = ct.predict_proba(x[te])
            for i, row in zip(te, probs):
                p_cat[name][i] = ct.classes_[int(row.argmax())]
                if name == "both":
                    p_conf[i] = float(row.max())
    for name in ("both", "sparse"):
        pos = link_y == 1
        acc = np.mean([p_cat[name][i] == cat[i] for i in np.where(pos)[0]])
        rule_acc = [category(rows[i]["rule"]) == cat[i] for i in np.where(pos)[0] if rows[i]["rule"]]
        print(f"cv [{name}]: linker ROC AUC {roc_auc_score(link_y, p_link[name]):.3f}; categoriser accuracy on "
              f"true pairs {acc:.3f} (the rules' own category where they coded the verb: "
              f"{np.mean(rule_acc):.3f} of {len(rule_acc)})")

    # the gate: true pairs against general news (positive-unlabelled), so that the model may also
    # act on verbs the rules did not code where a candidate looks like the labelled events and
    # not like what general news is full of
    pos_idx = np.where(link_y == 1)[0]

    def fit_gate(p_idx, u_idx, x_p=xd, x_u=ud):
        from scipy.sparse import vstack
        x = vstack([x_p[p_idx], x_u[u_idx]]).tocsr()
        y = np.r_[np.ones(len(p_idx)), np.zeros(len(u_idx))]
        return LogisticRegression(C=1.0, max_iter=4000, class_weight="balanced").fit(x, y)

    gate = np.zeros(len(rows))
    u_score = np.zeros(len(u_rows))
    p_folds = np.array_split(np.random.default_rng(0).permutation(np.unique(group_a)), args.folds)
    u_folds = np.array_split(np.random.default_rng(1).permutation(np.unique(u_group)), args.folds)
    for pf, uf in zip(p_folds, u_folds):
        p_test = np.isin(group_a, pf)
        u_test = np.isin(u_group, uf)
        g = fit_gate(np.intersect1d(pos_idx, np.where(~p_test)[0]), np.where(~u_test)[0])
        gate[p_test] = g.predict_proba(xd[p_test])[:, 1]
        u_score[u_test] = g.predict_proba(ud[u_test])[:, 1]
    print(f"cv gate: true pairs' score median {np.median(gate[pos_idx]):.3f}, general news candidates' "
          f"median {np.median(u_score):.3f}; ROC AUC {roc_auc_score(np.r_[np.ones(len(pos_idx)), np.zeros(len(u_score))], np.r_[gate[pos_idx], u_score]):.3f}")
    gate_levels = {q: float(np.quantile(gate[pos_idx], q)) for q in (0.1, 0.2, 0.3, 0.5)}

    # the combination with the rules, as the coder does it: on plv_train's fit part (the marked
    # pair) and on the codebook's fit part (dyad F1 over every gold event)
    n_plv = len(plv_items)
    table = code_table()
    generic = {}
    for c in sorted({x for x in cat if x}):
        roots = Counter(code[:2] for code in table if len(code) == 3 and category(code) == c)
        generic[c] = roots.most_common(1)[0][0]
    by_sent: dict[int, list[int]] = {}
    for i, g in enumerate(group):
        by_sent.setdefault(g, []).append(i)

    def sides(e):
        return ((e["source"] or {}).get("start"), (e["source"] or {}).get("end"),
                (e["target"] or {}).get("start"), (e["target"] or {}).get("end"))

    def links(e, c) -> bool:
        ss, se, ts, te_ = sides(e)
        return None not in (ss, ts) and te_ > ts and _ov((ss, se), tuple(c["source"])) and _ov((ts, te_), tuple(c["target"]))

    def simulate(th: float, rho: float, policy: str = "all", gate_at: float = 2.0) -> tuple[float, float, float, float]:
        right = extra = 0
        tp = fp = fn = 0
        for k in range(len(cands)):
            evs = [dict(e) for e in rule_events[k] if e["mode"] == "asserted"]
            idx = by_sent.get(k, [])
            for e in evs:  # recategorise a rule event by its best candidate
                mine = [i for i in idx if links(e, rows[i])]
                if mine:
                    i = max(mine, key=lambda i: p_link["both"][i])
                    if p_conf[i] >= rho and p_cat["both"][i] != category(e["code"]):
                        e["code"], e["plover"] = generic[p_cat["both"][i]] + "0", p_cat["both"][i]
                        e["root_code"] = generic[p_cat["both"][i]]
            triggered = {e["trigger"]["start"] for e in rule_events[k]}
            chosen: dict[int, int] = {}
            for i in idx:
                c = rows[i]
                if c["covered"] or p_link["both"][i] < th:
                    continue
                if policy == "on rule verbs" and c["trigger"] not in triggered:
                    continue  # only where the rules found an event: they judge whether one happened
                if policy.startswith("gated") and c["trigger"] not in triggered and gate[i] < gate_at:
                    continue  # elsewhere, only a candidate the gate passes
                if policy == "gated, known verbs" and c["trigger"] not in triggered and lemma_of[i] not in known_at[i]:
                    continue  # ... on a verb that was the trigger of a labelled event
                if policy == "gated, actor targets" and c["features"].get("okind=none"):
                    continue  # a target that names no actor ("his tweets", "the returns")
                if c["trigger"] not in chosen or p_link["both"][i] > p_link["both"][chosen[c["trigger"]]]:
                    chosen[c["trigger"]] = i
            added = []
            for i in chosen.values():
                got = p_cat["both"][i]
                added.append({"source": {"start": rows[i]["source"][0], "end": rows[i]["source"][1],
                                         "country": rows[i]["source_country"]},
                              "target": {"start": rows[i]["target"][0], "end": rows[i]["target"][1],
                                         "country": rows[i]["target_country"]},
                              "plover": got, "code": generic[got] + "0", "root_code": generic[got], "mode": "asserted"})
            if k < n_plv:
                r, _, where = plv_items[k]
                right += judge(evs + added, where.get("s"), where.get("t"), r["plover"])[2]
                extra += sum(1 for i in chosen.values() if not link_y[i])
            else:
                r = cb[k - n_plv]
                gold = {(cameo_country(g["source"]) if g.get("source") else None,
                         cameo_country(g["target"]) if g.get("target") else None, g["code"][:2]) for g in r["expected"]}
                got = {((e["source"] or {}).get("country") or ((e["source"] or {}).get("code") or "")[:3] or None,
                        (e["target"] or {}).get("country") or (((e["target"] or {}).get("code") or "")[:3] or None),
                        e["root_code"]) for e in evs + added}
                got = {(a if a in ("IGO", "NGO", "IMG", "MNC") or (a and len(a) == 3) else None, b, c) for a, b, c in got}
                tp += len(got & gold)
                fp += len(got - gold)
                fn += len(gold - got)
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        return right / n_plv, extra / n_plv, 2 * p * rc / (p + rc) if p + rc else 0.0, p

    base = simulate(2.0, 2.0)
    reach = len({g for g, y in zip(group, link) if y and g < n_plv}) / n_plv
    print(f"rules alone (in-sample for the rules' own tuning): plv right {base[0]:.3f}, codebook dyad F1 {base[2]:.3f}; "
          f"plv sentences with a candidate that is the marked pair: {reach:.3f}")
    best = None
    # "on rule verbs" is the coder's policy: the model links pairs and names categories only on
    # verbs where the rules found an event (the rules judge whether one happened). Both dev sets
    # hold only sentences with a political event, so they cannot see what "all" does to other
    # news: on ECB+ articles (sport, film, crime) it made events between anyone ("the 76ers fired
    # their coach" as an assault). They are printed for comparison.
    def off_domain(th: float, gate_at: float, known: set[str] | None = None) -> float:
        """Model events on verbs the rules did not code, per general-news article of the held-out part
        (scored by models fitted on the fit parts)."""
        n = 0
        for cs, evs in zip(general_out, general_out_events):
            ruled = {e["trigger"]["start"] for e in evs}
            cs = [c for c in cs if c["actorish"] and not c["covered"] and c["trigger"] not in ruled
                  and (known is None or next(f[2:] for f in c["features"] if f.startswith("t=")) in known)]
            if not cs:
                continue
            _, x = matrices(cs)
            lk_p = final_link.predict_proba(x)[:, 1]
            g_p = final_gate.predict_proba(x)[:, 1]
            n += len({c["trigger"] for c, a, b in zip(cs, lk_p, g_p) if a >= th and b >= gate_at})
        return n / max(1, len(general_out))

    final_link, _ = fit(xd, np.arange(len(rows)))
    final_gate = fit_gate(pos_idx, np.arange(len(u_rows)))
    rules_rate = sum(len(e) for e in general_out_events) / max(1, len(general_out))
    print(f"general news, held-out part: the rules code {rules_rate:.2f} events per article")
    budget = 0.1  # model events per general-news article on verbs the rules did not code
    # "gated, known verbs" (off the rules' verbs, only verbs that were the trigger of a labelled
    # event) and "gated, actor targets" (no target that names no actor) are precision filters the
    # coder does not run: printed to show what they cost here (a hand check of model events on
    # political articles, benchmarks/events_sample.py, found most wrong ones have such targets)
    all_known = {lemma_of[i] for i in pos_idx}
    for policy in ("all", "on rule verbs", "gated", "gated, known verbs", "gated, actor targets"):
        for rho in (2.0, 0.8):
            for th in THRESHOLDS[::2]:
                for q, level in (gate_levels.items() if policy.startswith("gated") else [(None, 2.0)]):
                    right, extra, f1, prec = simulate(th, rho, policy, level)
                    score = (right + f1) / 2
                    off = off_domain(th, level if policy.startswith("gated") else (0.0 if policy == "all" else 2.0),
                                     all_known if policy == "gated, known verbs" else None)
                    print(f"  {policy}{f' (gate at the {q:.0%} quantile of true pairs, {level:.3f})' if q else ''}, "
                          f"recategorise from {rho:.1f}, threshold {th:.2f}: plv right {right:.3f} ({extra:.2f} model "
                          f"events per sentence not the marked pair); codebook dyad F1 {f1:.3f} (P {prec:.3f}); "
                          f"mean {score:.3f}; general news: {off:.2f} model events per article off rule verbs")
                    if policy in ("on rule verbs", "gated") and off <= budget and (best is None or score > best[0]):
                        best = (score, th, rho, right, f1, policy, level if policy.startswith("gated") else 2.0)
    assert best is not None
    print(f"chosen: {best[5]}, gate {best[6]:.3f}, threshold {best[1]:.2f}, recategorise from {best[2]:.1f} (cv: plv right {best[3]:.3f}, "
          f"codebook dyad F1 {best[4]:.3f}, fit parts)")

    if args.write_model:
        idx = np.arange(len(rows))
        lk, ct = fit(xd, idx)
        lks, cts = fit(xs, idx)
        cats = list(ct.classes_)
        assert list(cts.classes_) == cats
        table = code_table()
        codes = []
        for c in cats:  # the root whose codes most often carry the category, as its generic code
            roots = Counter(code[:2] for code in table if len(code) == 3 and category(code) == c)
            codes.append(roots.most_common(1)[0][0] + "0")

        def w(model, n_features):
            coef = model.coef_
            return np.hstack([coef, model.intercept_[:, None]]).astype(np.float16) if coef.shape[0] > 1 else \
                np.concatenate([coef[0], model.intercept_]).astype(np.float16)

        nv = xs.shape[1]
        link_sparse = w(lks, nv)
        cat_sparse = w(cts, nv)
        # sparse-only weights padded to the same layout: (features, dim zeros, bias)
        link_sparse = np.concatenate([link_sparse[:nv], np.zeros(dim, np.float16), link_sparse[nv:]])
        cat_sparse = np.hstack([cat_sparse[:, :nv], np.zeros((len(cats), dim), np.float16), cat_sparse[:, nv:]])
        gt = fit_gate(pos_idx, np.arange(len(u_rows)))
        gts = fit_gate(pos_idx, np.arange(len(u_rows)), xs, us)
        gate_sparse = w(gts, nv)
        gate_sparse = np.concatenate([gate_sparse[:nv], np.zeros(dim, np.float16), gate_sparse[nv:]])
        np.savez_compressed(OUT, **prune(dict(
            vocab=np.array(dv.feature_names_), link_w=w(lk, nv), cat_w=w(ct, nv),
            gate_w=w(gt, nv), gate_sparse_w=gate_sparse, gate=np.array(best[6]),
            link_sparse_w=link_sparse, cat_sparse_w=cat_sparse, categories=np.array(cats),
            codes=np.array(codes), vector_model=np.array(sentence_model()), dim=np.array(dim),
            threshold=np.array(best[1]), recategorise=np.array(best[2])), args.prune))
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB): categories {dict(zip(cats, codes))}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
