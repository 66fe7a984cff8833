"""The corpora of the provenance-family benchmarks, analysed by newstrace itself and cached.

Articles come from ../shared/data (never copied into the repository):
- `llm-rewrites.dev.jsonl`: 100 BBC sources and their 300 LLM rewrites;
- `compilations.dev.jsonl`: 50 partial rewrites (the 50 sources and their 150 rewrites are the
  same as in llm-rewrites);
- `ecbplus.dev.jsonl`: 772 ECB+ articles, independent reports (two similar events per topic).

Each article is normalised, its artefacts found (repeated headlines and lines), analysed by spaCy
(sentences, entities, attributions) and its sentences embedded, exactly as `newstrace analyze`
does; the analysed articles are cached under benchmarks/results/ keyed by the texts and the
embedding model.

Folds: an article of the rewrite data belongs to fold `number % 2` of its source's number
(`src-17`: fold 1); fits use one fold and report on the other. ECB+ articles are in fold
`topic % 2`.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.unit.stage import Analyze  # noqa: E402
from newstrace.language.embed import embed_sentences, fingerprint  # noqa: E402
from newstrace.normalize.stages import FindArtefacts  # noqa: E402
from newstrace.pipeline import Pipeline, RunContext  # noqa: E402
from newstrace.records import Article  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
REWRITES = SHARED / "text-reuse" / "llm-rewrites.dev.jsonl"
COMPILATIONS = SHARED / "text-reuse" / "compilations.dev.jsonl"
ECB = SHARED / "clustering" / "ecbplus.dev.jsonl"
CACHE = ROOT / "benchmarks" / "results"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fold_of(row: dict) -> int:
    if row.get("kind") == "distractor":
        return int(row.get("topic") or 0) % 2
    ref = row.get("source_id") or row["id"]
    return int(ref.rsplit("-", 1)[1]) % 2


def metadata() -> dict[str, dict]:
    """Every article's labels (no text): id -> {kind, source_id, base_id, model, topic, event, corpora}."""
    out: dict[str, dict] = {}
    for r in _rows(REWRITES):
        out[r["id"]] = {k: v for k, v in r.items() if k != "text"} | {"corpora": {"rewrites"}}
    for r in _rows(COMPILATIONS):
        m = out.setdefault(r["id"], {k: v for k, v in r.items() if k != "text"} | {"corpora": set()})
        m["corpora"].add("compilations")
    for r in _rows(ECB):
        out[f"ecb-{r['doc_id']}"] = {"id": f"ecb-{r['doc_id']}", "kind": "distractor", "topic": r.get("topic"),
                                     "event": r.get("event_cluster"), "corpora": {"rewrites", "compilations"}}
    for m in out.values():
        m["fold"] = fold_of(m)
    return out


def texts() -> dict[str, str]:
    out = {r["id"]: r["text"] for r in _rows(REWRITES)}
    out.update({r["id"]: r["text"] for r in _rows(COMPILATIONS)})
    out.update({f"ecb-{r['doc_id']}": r["text"] for r in _rows(ECB)})
    return out


def load() -> dict[str, Article]:
    """Every article analysed (sentences, artefacts, attributions) with its sentence vectors."""
    items = texts()
    key = hashlib.sha1(json.dumps(sorted(items.items())).encode() + fingerprint().encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    cache = CACHE / f"families-{key}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    done: list[Article] = []
    Pipeline([FindArtefacts(), Analyze(jobs=2, attributions=True, events=False)]).run(
        [Article(id=i, text=t) for i, t in items.items()], RunContext(on_article_done=done.append))
    for k in range(0, len(done), 64):
        embed_sentences(done[k:k + 64])
    arts = {a.id: a for a in done}
    cache.write_bytes(pickle.dumps(arts))
    return arts


if __name__ == "__main__":
    import time

    t = time.time()
    arts = load()
    print(f"{len(arts)} articles in {time.time() - t:.0f} s")
