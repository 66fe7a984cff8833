"""Distinct news-length articles for the speed, memory and soak benchmarks, built from ../shared/data.

    from news_corpus import build, write
    articles = build(10_000, seed=17)      # list of {"id", "title", "text", "source", "published", "url"}
    write(articles, folder, files=50)      # as JSONL files

Natural articles first, in a seeded random order: the ECB+ news texts, the sources, LLM rewrites
and partial rewrites of the text-reuse sets (so there are derivations and families), and the
distinct news bodies of the FNC-1 and ARC stance sets (each body once). Each gets an outlet (one
of 25 made-up names, by a hash of its id) and a date in the first 60 days of 2026 (a rewrite a
day after its source). Articles shorter than 300 characters are left out.

When more are asked for than there are (about 6,300), the rest are recombined: the first half
of one natural article's sentences followed by the second half of another's (two different
articles drawn at random, sentences split at . ! ? followed by a space), titled by the first
sentence. Every text is distinct (checked by hash). Nothing is copied into the repository.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUTLETS = [f"{a} {b}" for a in ("Northern", "Coastal", "Daily", "Evening", "Metro")
           for b in ("Gazette", "Herald", "Post", "Courier", "Ledger")]
MIN_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _rows(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _stable(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)


def _title(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0][:100]


def available() -> bool:
    return SHARED.exists()


def natural() -> list[dict]:
    """Every natural article, in a fixed order (not shuffled)."""
    start = date(2026, 1, 1)
    items: dict[str, dict] = {}
    texts: set[str] = set()

    def add(ident: str, text: str, day: int, title: str | None = None) -> None:
        text = text.strip()
        key = hashlib.sha1(text.encode()).hexdigest()
        if ident in items or key in texts or len(text) < MIN_CHARS:
            return
        texts.add(key)
        items[ident] = {"id": ident, "title": title or _title(text), "text": text,
                        "source": OUTLETS[_stable(ident) % len(OUTLETS)],
                        "published": (start + timedelta(days=day)).isoformat(),
                        "url": f"https://news.example/{ident}"}

    for r in _rows(SHARED / "clustering" / "ecbplus.dev.jsonl"):
        add(f"ecb-{r['doc_id']}", r["text"], int(r.get("topic") or 0) % 60, r.get("lead"))
    for name in ("llm-rewrites.dev.jsonl", "compilations.dev.jsonl"):
        for r in _rows(SHARED / "text-reuse" / name):
            ref = r.get("source_id") or r["id"]
            add(r["id"], r["text"], _stable(ref) % 60 + (0 if r.get("kind") == "source" else 1))
    for name in ("fnc1.train", "fnc1.test", "arc_stance.train", "arc_stance.test"):
        for r in _rows(SHARED / "nli" / f"{name}.jsonl.gz"):
            body = r["premise"]
            key = hashlib.sha1(body.encode()).hexdigest()[:12]
            add(f"body-{key}", body, _stable(key) % 60)
    return list(items.values())


def build(n: int, seed: int = 17) -> list[dict]:
    """`n` distinct articles: natural ones in a seeded order, then recombined ones."""
    pool = natural()
    rng = random.Random(seed)
    rng.shuffle(pool)
    out = pool[:n]
    seen = {hashlib.sha1(a["text"].encode()).hexdigest() for a in out}
    k = 0
    while len(out) < n:
        a, b = rng.sample(pool, 2)
        sa, sb = _SENTENCE_END.split(a["text"]), _SENTENCE_END.split(b["text"])
        if len(sa) < 2 or len(sb) < 2:
            continue
        text = " ".join(sa[:(len(sa) + 1) // 2] + sb[len(sb) // 2:])
        key = hashlib.sha1(text.encode()).hexdigest()
        if key in seen or len(text) < MIN_CHARS:
            continue
        seen.add(key)
        ident = f"mix-{k}"
        k += 1
        out.append({"id": ident, "title": _title(text), "text": text, "source": OUTLETS[_stable(ident) % len(OUTLETS)],
                    "published": a["published"], "url": f"https://news.example/{ident}"})
    return out


def write(articles: list[dict], folder: Path, files: int = 1) -> list[Path]:
    """The articles as `files` JSONL files in `folder` (article i in file i % files)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(files):
        path = folder / (f"part-{k:02d}.jsonl" if files > 1 else "articles.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            for item in articles[k::files]:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys

    items = build(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    words = sum(len(a["text"].split()) for a in items)
    print(f"{len(items)} articles, {words / len(items):.0f} words each on average, "
          f"{sum(a['id'].startswith('mix-') for a in items)} recombined; {len(natural())} natural available")
