"""Provenance candidate generation at scale: 100,000 synthetic news articles indexed as one stream.

    python benchmarks/provenance_scale.py [--n 100000] [--seed 11]    # ~6 min; --n 5000 for a quick check

What is measured. Each article is first asked for candidates, then added (the stage's order):
`minhash(text)`, `CandidateIndex.query(minhash, vector)`, `CandidateIndex.add(key, minhash, vector)`.
Three indexes run over the same stream, one after the other, each in a forked child process so
that its memory is measured alone (resident-set growth from /proc/self/status, which sees the
Rust and C++ allocations of rensa and usearch, unlike tracemalloc):

- newstrace: `CandidateIndex` as the stage uses it (rensa LSH over 5-grams + usearch HNSW over
  the document vector);
- newstrace LSH only: the same class given no vectors, i.e. its copy index alone;
- datasketch: a plain `datasketch.MinHashLSH(threshold=0.5, num_perm=128)` over datasketch
  `MinHash`es of the same word 5-grams (`candidates.shingles`), same query-then-insert stream.
  The MinHashes share one set of permutations (datasketch's `permutations=` argument): built
  afresh each, a MinHash costs 0.16 ms more.

At 10%, 20%, 50% and 100% of `--n` (10k, 20k, 50k, 100k by default) it prints throughput
(articles/s, cumulative and within the last slice, to show whether it degrades), the MinHash time
and the query+add time per article within the slice, resident-memory growth and bytes per
article, mean candidates per query, and recall of planted pairs so far: "copies" are verbatim
reprints and light edits, found when their source is among the candidates; "rewrites" are
paraphrases, which share few 5-grams and are to be found through the vector index. Then it
times `dump()` (the persisted state) and `restore()`, and breaks copy recall down by the planted
pair's true 5-gram Jaccard. Only candidate generation is timed, never text generation, and in
CPU time of the indexing process (`time.process_time`), so that other load on a shared machine
does not skew it; the wall time of each whole stream is printed at the end too.

The articles. Stories of Zipf-distributed size (most told once, a few by up to 300 articles),
each with its topic, people, places, organisation, key words, numbers and a few quotes; each
article of a story is written by one of 400 outlets (its dateline and its own footer line) and
is ~500 words (log-normal) of sentences drawn from a Zipfian vocabulary (100 English function
words, then 25,000 made-up content words), with the story's words spliced in, attributions,
stock phrases ("... did not immediately respond to a request for comment") and 0-3 of the
story's quotes verbatim. After the first article of a story, each is an independent report
(55%), a verbatim reprint of an earlier article of the story (20%, 30% of them cut short; under
the reprinting outlet's dateline and footer, so not an exact duplicate, which the stage would
drop before this index), a light edit (15%: 0-30% of sentences dropped, 1-8% of words
substituted, maybe a sentence or two added) or a rewrite (10%: written anew about the same
facts, keeping each of the source's quotes with probability 0.5).

Document vectors are synthesised, not embedded (MiniLM over 100k articles would take hours
here): a topic has a random unit direction, a story a direction at cosine ~0.67 to its topic,
an independent report the story direction plus noise (~0.64 between two reports of a story,
~0.3 across stories of a topic, ~0 otherwise); a copy is its source's vector plus a little
noise (cosine ~0.995 verbatim, ~0.97 light edit), a rewrite plus more (~0.91). They are
normalised 384-d float32 as the stage passes them. Rewrite recall thus measures the HNSW
index's search over this geometry, not MiniLM's; the per-article cost of the embeddings
themselves is measured by benchmarks/throughput.py.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing as mp
import pickle
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from datasketch import MinHash, MinHashLSH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.provenance.candidates import DIM, CandidateIndex, minhash, shingles  # noqa: E402

FRACTIONS = (0.1, 0.2, 0.5, 1.0)
DS_THRESHOLD = 0.5
DS_NUM_PERM = 128
DERIVED = ("independent", "verbatim", "light", "rewrite")
DERIVED_WEIGHTS = (0.55, 0.20, 0.15, 0.10)
COPIES = ("verbatim", "light")
JACCARD_BANDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7, 1.01)

FUNCTION = (
    "the of and to a in that is was for on it with as he said by at from his an be has have are were had but not "
    "this which they who after been their will would its she her or also more one new about there two than up out "
    "into over when year people last first could some other time them because we no all can just what our if years "
    "three like while before during under against since government officials police minister week told percent "
    "million report between including city country state most only where those four where such then may"
).split()
STOCK = (
    "{o} did not immediately respond to a request for comment",
    "It was not immediately clear how many people were affected",
    "{p} declined to comment when reached by phone on {d}",
    "Officials in {c} said an investigation was under way",
    "The statement did not say when the decision would take effect",
    "{o} said in a statement on {d} that it was reviewing the matter",
    "This is a developing story and will be updated",
    "Further details were not immediately available",
    "{p} told reporters in {c} on {d} that more information would follow",
    "A spokesperson for {o} said the figures were preliminary",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORG_KINDS = ("Ministry", "Group", "Council", "Corporation", "Party", "Agency", "Bank", "University", "Union")
OUTLET_KINDS = ("Times", "Herald", "News", "Post", "Daily", "Gazette", "Tribune", "Observer", "Wire", "Courier")
ONSETS = "b br c ch d dr f fl g gr h j k l m n p pl pr r s sh st t tr v w z".split()
VOWELS = "a e i o u ai ea ou".split()
CODAS = ["", "n", "r", "s", "l", "t", "m", "nd", "st"]


# -- memory ----------------------------------------------------------------------------------------------------------
def rss_mb() -> float:
    """Resident memory of this process (VmRSS of /proc/self/status), in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- synthetic news --------------------------------------------------------------------------------------------------
def pseudo_words(rng: random.Random, n: int, exclude: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(exclude)
    while len(out) < n:
        syllables = rng.choices((1, 2, 3), (3, 5, 2))[0]
        w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        if len(w) > 2 and w not in seen:
            seen.add(w)
            out.append(w)
    return out


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


@dataclass
class Story:
    sid: int
    words: np.ndarray
    people: list[str]
    places: list[str]
    org: str
    quotes: list[str]
    vector: np.ndarray
    bodies: list[list[str]] = field(default_factory=list)
    quoted: list[list[int]] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)


@dataclass
class Corpus:
    texts: list[str]
    vectors: np.ndarray  # (n, DIM) unit float32
    story: np.ndarray  # story id per article
    kind: list[str]  # "original" (first of its story) or one of DERIVED
    source: np.ndarray  # planted source (index of an earlier article) or -1
    jaccard: np.ndarray  # true 5-gram Jaccard with the planted source (nan if none)


class NewsGenerator:
    def __init__(self, n: int, seed: int = 11) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        content = pseudo_words(self.rng, 25_000, set(FUNCTION))
        self.vocab = np.array(FUNCTION + content, dtype=object)
        p = 1.0 / (np.arange(1, len(self.vocab) + 1) + 2.7)
        self.cdf = np.cumsum(p / p.sum())
        self.names = [w.capitalize() for w in pseudo_words(self.rng, 8_000, set(self.vocab.tolist()))]
        self.topics = max(20, n // 60)
        self.topic_dirs = self.np.standard_normal((self.topics, DIM)).astype(np.float32)
        self.topic_dirs /= np.linalg.norm(self.topic_dirs, axis=1, keepdims=True)
        self.topic_words = [self.vocab[self.np.integers(300, len(self.vocab), 20)] for _ in range(self.topics)]
        self.outlets = []
        for _ in range(400):
            name = f"The {self.rng.choice(self.names)} {self.rng.choice(OUTLET_KINDS)}"
            footer = " ".join(self._words(self.rng.randint(12, 30)))
            self.outlets.append((name, f"{footer[0].upper()}{footer[1:]}. (c) 2026 {name}."))

    def _words(self, k: int) -> np.ndarray:
        return self.vocab[np.minimum(np.searchsorted(self.cdf, self.np.random(k)), len(self.vocab) - 1)]

    def _noise(self, v: np.ndarray, sigma: float) -> np.ndarray:
        """`v` plus Gaussian noise of norm ~sigma, normalised: cosine to unit `v` ~ 1/sqrt(1+sigma^2)."""
        return unit(v + sigma / math.sqrt(DIM) * self.np.standard_normal(DIM).astype(np.float32))

    def _story(self, sid: int) -> Story:
        topic = self.rng.randrange(self.topics)
        people = [f"{self.rng.choice(self.names)} {self.rng.choice(self.names)}" for _ in range(3)]
        places = [self.rng.choice(self.names) for _ in range(2)]
        org = f"{self.rng.choice(self.names)} {self.rng.choice(ORG_KINDS)}"
        keys = list(self.np.choice(self.topic_words[topic], 8, replace=False)) + list(self._words(10))
        numbers = [str(self.rng.randint(2, 999)) for _ in range(3)]
        words = np.array(people * 2 + places + [org] + keys + numbers, dtype=object)
        st = Story(sid, words, people, places, org, [], self._noise(self.topic_dirs[topic], 1.1))
        for _ in range(self.rng.randint(2, 6)):
            st.quotes.append(f"\"{self._sentence(st, self.rng.randint(12, 30))},\" {self.rng.choice(people)} said.")
        return st

    def _sentence(self, st: Story, k: int) -> str:
        toks = self._words(k)
        mask = self.np.random(k) < 0.12
        toks[mask] = st.words[self.np.integers(len(st.words), size=int(mask.sum()))]
        s = " ".join(toks)
        return s[0].upper() + s[1:]

    def _body(self, st: Story, n_words: int, quotes: list[int]) -> list[str]:
        sents: list[str] = []
        left = n_words
        while left > 0:
            k = int(self.np.integers(9, 30))
            s = self._sentence(st, k)
            r = self.rng.random()
            if r < 0.2:
                s = f"{s}, {self.rng.choice(st.people)} said"
            elif r < 0.28:
                s = f"According to {st.org}, {s[0].lower()}{s[1:]}"
            sents.append(s + ".")
            left -= k
        for q in quotes:
            sents.insert(self.rng.randrange(len(sents) + 1), st.quotes[q])
        for _ in range(self.rng.randint(0, 2)):
            stock = self.rng.choice(STOCK).format(o=st.org, p=self.rng.choice(st.people),
                                                  c=self.rng.choice(st.places), d=self.rng.choice(DAYS))
            sents.insert(self.rng.randrange(len(sents) + 1), stock + ".")
        return sents

    def _light_edit(self, st: Story, src: list[str]) -> list[str]:
        p_drop, p_sub = self.rng.uniform(0.0, 0.3), self.rng.uniform(0.01, 0.08)
        kept = [s for s in src if self.rng.random() >= p_drop] or src[:3]
        out = []
        for s in kept:
            words = s.split(" ")
            hit = np.flatnonzero(self.np.random(len(words)) < p_sub)
            for j, w in zip(hit.tolist(), self._words(len(hit))):
                words[j] = w + "." if words[j].endswith(".") else w
            out.append(" ".join(words))
        if self.rng.random() < 0.5:
            extra = self._body(st, self.rng.randint(15, 50), [])
            for s in extra:
                out.insert(self.rng.randrange(len(out) + 1), s)
        return out

    def _article(self, st: Story, k: int) -> tuple[str, int, list[str], list[int], np.ndarray]:
        """(kind, source index within the story or -1, body sentences, quotes used, vector)."""
        n_words = int(np.clip(self.np.lognormal(math.log(400), 0.5), 100, 2000))
        kind = "original" if k == 0 else self.rng.choices(DERIVED, DERIVED_WEIGHTS)[0]
        if kind in ("original", "independent"):
            quotes = self.rng.sample(range(len(st.quotes)), self.rng.randint(0, min(3, len(st.quotes))))
            return kind, -1, self._body(st, n_words, quotes), quotes, self._noise(st.vector, 0.75)
        src = self.rng.randrange(k)
        body, quoted, vec = st.bodies[src], st.quoted[src], st.vectors[src]
        if kind == "verbatim":
            if self.rng.random() < 0.3:
                body = body[: max(3, math.ceil(self.rng.uniform(0.6, 1.0) * len(body)))]
            return kind, src, body, quoted, self._noise(vec, 0.1)
        if kind == "light":
            return kind, src, self._light_edit(st, body), quoted, self._noise(vec, 0.25)
        n_words = int(sum(len(s.split()) for s in body) * self.rng.uniform(0.8, 1.2))
        keep = [q for q in quoted if self.rng.random() < 0.5]
        return kind, src, self._body(st, n_words, keep), keep, self._noise(vec, 0.45)

    def generate(self) -> Corpus:
        rows: list[tuple[float, int, int, str, int, str, np.ndarray]] = []
        total = sid = 0
        while total < self.n:
            size = min(int(self.np.zipf(1.9)), 300)
            st = self._story(sid)
            t = self.rng.uniform(0, 365)
            for k in range(size):
                kind, src, body, quoted, vec = self._article(st, k)
                st.bodies.append(body)
                st.quoted.append(quoted)
                st.vectors.append(vec)
                outlet, footer = self.rng.choice(self.outlets)
                text = f"{self.rng.choice(st.places).upper()} ({outlet}) - " + "\n".join(body) + "\n" + footer
                rows.append((t, sid, k, kind, src, text, vec))
                t += self.rng.expovariate(1 / 0.4)
            total += size
            sid += 1
        rows.sort(key=lambda r: r[0])
        rows = rows[: self.n]
        where = {(r[1], r[2]): i for i, r in enumerate(rows)}
        source = np.array([where[(r[1], r[4])] if r[4] >= 0 else -1 for r in rows], dtype=np.int64)
        texts = [r[5] for r in rows]
        jac = np.full(len(rows), np.nan)
        for i in np.flatnonzero(source >= 0).tolist():
            a, b = set(shingles(texts[i])), set(shingles(texts[source[i]]))
            jac[i] = len(a & b) / max(1, len(a | b))
        return Corpus(texts, np.stack([r[6] for r in rows]), np.array([r[1] for r in rows]),
                      [r[3] for r in rows], source, jac)


# -- the indexes under test ------------------------------------------------------------------------------------------
class Subject(Protocol):
    name: str

    def sketch(self, text: str) -> Any: ...
    def query(self, sketch: Any, vector: np.ndarray) -> dict[int, str]: ...
    def add(self, key: int, sketch: Any, vector: np.ndarray) -> None: ...
    def persist(self) -> str: ...


class Newstrace:
    def __init__(self, vectors: bool) -> None:
        self.name = "newstrace CandidateIndex" if vectors else "newstrace LSH only (no vectors)"
        self.vectors = vectors
        self.index = CandidateIndex()

    def sketch(self, text: str) -> Any:
        return minhash(text)

    def query(self, sketch: Any, vector: np.ndarray) -> dict[int, str]:
        return self.index.query(sketch, vector if self.vectors else None)

    def add(self, key: int, sketch: Any, vector: np.ndarray) -> None:
        self.index.add(key, sketch, vector if self.vectors else None)

    def persist(self) -> str:
        t0 = time.process_time()
        state = self.index.dump()
        t1 = time.process_time()
        CandidateIndex.restore(state)
        t2 = time.process_time()
        lsh, ann = len(state[1]) / 2**20, len(state[2]) / 2**20
        return (f"dump() {t1 - t0:.2f} s -> {lsh + ann:.1f} MB (LSH pickle {lsh:.1f} MB, HNSW {ann:.1f} MB); "
                f"restore() {t2 - t1:.2f} s")


class Datasketch:
    name = f"datasketch MinHashLSH (threshold {DS_THRESHOLD}, num_perm {DS_NUM_PERM})"

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=DS_THRESHOLD, num_perm=DS_NUM_PERM)
        template = MinHash(num_perm=DS_NUM_PERM)
        self.perms, self.scheme = template.permutations, template.scheme

    def sketch(self, text: str) -> Any:
        grams = shingles(text)
        if not grams:
            return None
        m = MinHash(num_perm=DS_NUM_PERM, permutations=self.perms, scheme=self.scheme)
        m.update_batch([g.encode("utf-8") for g in grams])
        return m

    def query(self, sketch: Any, vector: np.ndarray) -> dict[int, str]:
        return {} if sketch is None else {int(k): "copy" for k in self.lsh.query(sketch)}

    def add(self, key: int, sketch: Any, vector: np.ndarray) -> None:
        if sketch is not None:
            self.lsh.insert(key, sketch)

    def persist(self) -> str:
        t0 = time.process_time()
        blob = pickle.dumps(self.lsh, protocol=pickle.HIGHEST_PROTOCOL)
        return (f"pickle.dumps(lsh) {time.process_time() - t0:.2f} s -> {len(blob) / 2**20:.1f} MB "
                f"(bands b={self.lsh.b}, r={self.lsh.r})")


def make_subject(which: str) -> Subject:
    return Newstrace(True) if which == "newstrace" else Newstrace(False) if which == "lsh" else Datasketch()


# -- one run, in a forked child ----------------------------------------------------------------------------------------
CORPUS: Corpus | None = None  # set by the parent before forking; children read it without copying

HEAD = (f"{'articles':>9} {'art/s cum':>9} {'art/s slice':>11} {'minhash us':>10} {'query+add us':>12} "
        f"{'RSS +MB':>8} {'B/article':>9} {'cand/query':>10} {'same story':>10} {'copy rec':>8} {'rewrite rec':>11}")


@dataclass
class Result:
    name: str
    points: list[int]
    rss: list[float]
    sketch_s: np.ndarray
    qa_s: np.ndarray
    cands: np.ndarray
    same: np.ndarray
    found: np.ndarray  # planted source among the candidates
    by_copy: np.ndarray  # ... and found by the 5-gram index
    persist: str
    wall: float = 0.0  # wall-clock seconds of the whole stream, bookkeeping included


def row(res: Result, corpus: Corpus, j: int) -> str:
    p, prev = res.points[j], (res.points[j - 1] if j else 0)
    slice_t = res.sketch_s[prev:p].sum() + res.qa_s[prev:p].sum()
    cum_t = res.sketch_s[:p].sum() + res.qa_s[:p].sum()
    kinds = np.array(corpus.kind[:p])
    copies, rewrites = np.isin(kinds, COPIES), kinds == "rewrite"
    rec = res.found[:p]
    n_c = res.cands[:p].sum()
    rew = f"{rec[rewrites].mean():>11.3f}" if res.name.startswith("newstrace C") else f"{'-':>11}"
    return (f"{p:>9,} {p / cum_t:>9.0f} {(p - prev) / slice_t:>11.0f} {1e6 * res.sketch_s[prev:p].mean():>10.0f} "
            f"{1e6 * res.qa_s[prev:p].mean():>12.0f} {res.rss[j]:>8.1f} {res.rss[j] * 2**20 / p:>9.0f} "
            f"{res.cands[:p].mean():>10.2f} {res.same[:p].sum() / max(1, n_c):>10.1%} {rec[copies].mean():>8.3f}{rew}")


def run(which: str, points: list[int], conn: Connection) -> None:
    corpus = CORPUS
    assert corpus is not None
    n = points[-1]
    texts, vecs, story, source = corpus.texts, corpus.vectors, corpus.story, corpus.source
    warm = make_subject(which)  # load code pages and warm allocators outside the measurement
    for i in range(200):
        sk = warm.sketch(texts[i])
        warm.query(sk, vecs[i])
        warm.add(i, sk, vecs[i])
    res = Result(warm.name, points, [], np.zeros(n), np.zeros(n), np.zeros(n, np.int32), np.zeros(n, np.int32),
                 np.zeros(n, bool), np.zeros(n, bool), "")
    del warm, sk
    gc.collect()
    base = rss_mb()
    subject = make_subject(which)
    print(f"\n== {res.name}\n{HEAD}", flush=True)
    j = 0
    wall = time.perf_counter()
    for i in range(n):
        t0 = time.process_time()
        sk = subject.sketch(texts[i])
        t1 = time.process_time()
        found = subject.query(sk, vecs[i])
        subject.add(i, sk, vecs[i])
        t2 = time.process_time()
        res.sketch_s[i], res.qa_s[i] = t1 - t0, t2 - t1
        res.cands[i] = len(found)
        res.same[i] = sum(1 for k in found if story[k] == story[i])
        if source[i] >= 0 and source[i] in found:
            res.found[i] = True
            res.by_copy[i] = found[int(source[i])] == "copy"
        if i + 1 == points[j]:
            res.rss.append(rss_mb() - base)
            print(row(res, corpus, j), flush=True)
            j += 1
    res.wall = time.perf_counter() - wall
    res.persist = subject.persist()
    print(res.persist, flush=True)
    conn.send(res)
    conn.close()


def measure(which: str, points: list[int]) -> Result:
    sys.stdout.flush()  # or the child inherits, and prints again, what is still buffered
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=run, args=(which, points, send))
    proc.start()
    send.close()
    res: Result = recv.recv()
    proc.join()
    return res


# -- report ----------------------------------------------------------------------------------------------------------
def describe(corpus: Corpus, seconds: float) -> None:
    n = len(corpus.texts)
    kinds = Counter(corpus.kind)
    words = np.array([len(t.split()) for t in corpus.texts])
    planted = corpus.source >= 0
    kind = np.array(corpus.kind)
    print(f"{n:,} synthetic articles generated in {seconds:.0f} s (not timed below): "
          f"{len(set(corpus.story.tolist())):,} stories; "
          + ", ".join(f"{k} {kinds[k]:,}" for k in ("original",) + DERIVED))
    print(f"words per article: median {np.median(words):.0f}, mean {words.mean():.0f}, "
          f"p95 {np.percentile(words, 95):.0f}; text in memory {sum(len(t) for t in corpus.texts) / 2**20:.0f} MB")
    for k in ("verbatim", "light", "rewrite"):
        jac = corpus.jaccard[kind == k]
        cos = np.einsum("ij,ij->i", corpus.vectors[kind == k], corpus.vectors[corpus.source[kind == k]])
        print(f"planted {k:>8}: 5-gram Jaccard with source p10/p50/p90 "
              f"{np.percentile(jac, 10):.2f}/{np.median(jac):.2f}/{np.percentile(jac, 90):.2f}; "
              f"vector cosine mean {cos.mean():.3f}")
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)
    cos = np.einsum("ij,ij->i", corpus.vectors[a], corpus.vectors[b])
    indep = np.flatnonzero(kind == "independent")
    first = {}
    for i in np.flatnonzero(kind == "original").tolist():
        first[int(corpus.story[i])] = i
    pairs = [(i, first[int(corpus.story[i])]) for i in indep.tolist() if int(corpus.story[i]) in first]
    same = np.einsum("ij,ij->i", corpus.vectors[[p[0] for p in pairs]], corpus.vectors[[p[1] for p in pairs]])
    print(f"vector cosine of random pairs mean {cos.mean():.3f} (p99 {np.percentile(cos, 99):.3f}); "
          f"independent report vs its story's first {same.mean():.3f}; planted pairs {int(planted.sum()):,}")


def summary(results: list[Result], corpus: Corpus) -> None:
    kind = np.array(corpus.kind[: results[0].points[-1]])
    copies = np.isin(kind, COPIES)
    print(f"\nCopy recall by the planted pair's true 5-gram Jaccard (verbatim + light edits; found = source among "
          f"candidates):")
    names = [r.name.split(" (")[0] for r in results]
    print(f"{'Jaccard':>11} {'pairs':>7} " + " ".join(f"{s:>32}" for s in names))
    jac = corpus.jaccard[: len(kind)]
    for lo, hi in zip(JACCARD_BANDS, JACCARD_BANDS[1:]):
        sel = copies & (jac >= lo) & (jac < hi)
        if sel.any():
            print(f"{lo:>4.1f}-{min(hi, 1.0):<4.1f}   {int(sel.sum()):>7,} "
                  + " ".join(f"{r.found[sel].mean():>32.3f}" for r in results))
    nt = results[0]
    rw = kind == "rewrite"
    print(f"\nRewrites ({int(rw.sum()):,}): source among newstrace candidates {nt.found[rw].mean():.3f}, of which "
          f"through the copy index {nt.by_copy[rw].mean():.3f}, the vector index alone "
          f"{(nt.found & ~nt.by_copy)[rw].mean():.3f}; newstrace LSH only finds {results[1].found[rw].mean():.3f}, "
          f"datasketch {results[2].found[rw].mean():.3f}")
    print(f"\nAt {len(kind):,} articles:")
    print(f"{'index':<52} {'art/s':>6} {'minhash us':>10} {'q+add us':>8} {'wall s':>6} {'RSS +MB':>7} "
          f"{'B/article':>9} {'cand/q':>6} {'copy rec':>8}")
    for r in results:
        t = r.sketch_s.sum() + r.qa_s.sum()
        n = len(kind)
        print(f"{r.name:<52} {n / t:>6.0f} {1e6 * r.sketch_s.mean():>10.0f} {1e6 * r.qa_s.mean():>8.0f} "
              f"{r.wall:>6.0f} {r.rss[-1]:>7.1f} {r.rss[-1] * 2**20 / n:>9.0f} {r.cands.mean():>6.2f} "
              f"{r.found[copies].mean():>8.3f}")


def main() -> None:
    global CORPUS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles in the stream (default 100,000)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    points = sorted({max(1, round(f * args.n)) for f in FRACTIONS})
    t0 = time.perf_counter()
    CORPUS = NewsGenerator(args.n, args.seed).generate()
    describe(CORPUS, time.perf_counter() - t0)
    sample = CORPUS.texts[:10_000]
    t0 = time.process_time()
    for text in sample:
        shingles(text)
    print(f"shingles() alone (pure Python, part of both MinHash times below): "
          f"{1e6 * (time.process_time() - t0) / len(sample):.0f} us per article")
    print("\nPer point: art/s cumulative and within the slice since the previous point; minhash and query+add in "
          "microseconds per article within the slice\n(all in CPU time of the indexing process); RSS growth since "
          "the empty index; candidates per query, the share of them from the same story,\nand recall of planted "
          "pairs, over all articles so far.")
    t0 = time.perf_counter()
    results = [measure(which, points) for which in ("newstrace", "lsh", "datasketch")]
    summary(results, CORPUS)
    print(f"\nIndexing runs took {time.perf_counter() - t0:.0f} s in all (with bookkeeping and dumps).")


if __name__ == "__main__":
    main()
