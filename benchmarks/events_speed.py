"""Events coded per second on a 1,000-article corpus, 2 cores (issue 7).

    python benchmarks/events_speed.py [--n 1000] [--jobs 2]

The corpus is the one of claims_speed.py (ECB+ dev articles topped up with the claim-support
sources, to `--n` articles). Events are coded inside the analysis workers from the parse
that attributions already need, so the figures are:
- the analysis stage (sentences, entities, parse, attributions, sentence vectors, events) over
  the corpus with events on and with events off, `--jobs` worker processes, nothing else of the pipeline: the
  difference is what coding events costs, and events/s is events over the whole stage time
  and over that difference;
- the coder alone, in one process, over the parsed pieces of the first 200 articles.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from claims_speed import CLAIMS, ECB, make_corpus  # noqa: E402


def run_stage(path: Path, jobs: int, events: bool) -> tuple[float, int, int]:
    from newstrace.ingest import read_paths
    from newstrace.unit.stage import Analyze
    from newstrace.normalize.stages import FindArtefacts
    from newstrace.pipeline import Pipeline, RunContext
    from newstrace.records import Article

    arts = [a for a in read_paths([str(path)]) if isinstance(a, Article)]
    n_events = 0

    def done(a: Article) -> None:
        nonlocal n_events
        n_events += len(a.events)

    started = time.perf_counter()
    # embeddings on, as `analyze` has them: the event model reads the sentence vectors they give
    Pipeline([FindArtefacts(), Analyze(jobs, attributions=True, events=events, embeddings=True)]).run(
        arts, RunContext(on_article_done=done))
    return time.perf_counter() - started, len(arts), n_events


def coder_alone(path: Path, n: int) -> tuple[float, int, int]:
    from newstrace.attribution.records import chunks, found_in
    from newstrace.events.records import records_for
    from newstrace.ingest import read_paths
    from newstrace.unit.stage import _payload
    from newstrace.language.nlp import load_nlp, load_parser
    from newstrace.unit import analyze_batch
    from newstrace.normalize.text import OffsetMap
    from newstrace.records import Article

    arts = [a for a in read_paths([str(path)]) if isinstance(a, Article)][:n]
    payloads = [_payload(a) for a in arts]
    analyses = analyze_batch(payloads)
    nlp, parser = load_nlp(False), load_parser()
    prepared = []
    for p, r in zip(payloads, analyses):
        doc = nlp(p.norm_text)
        docs = [(s, parser(p.norm_text[s:e])) for s, e in chunks(p.norm_text)]
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        prepared.append((p, r, docs, ents, found_in(docs, ents, p.outlet)))
    from newstrace.language.embed import embed, sentence_model

    vectors = []  # made by the analysis stage before events in `analyze`: not the coder's time
    for p, r, *_ in prepared:
        kept = [s for s in r.sentences if s.artefact is None]
        vectors.append((kept, embed([s.text for s in kept]), sentence_model()))
    started = time.perf_counter()
    count = 0
    for (p, r, docs, ents, found), vecs in zip(prepared, vectors):
        count += len(records_for(p.article_id, p.text, docs, found, ents, OffsetMap.build(p.segments),
                                 r.sentences, p.published, vectors=vecs))
    return time.perf_counter() - started, len(prepared), count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    for need in (ECB, CLAIMS):
        if not need.exists():
            print(f"needs the shared development data ({need}); not present here")
            return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        n = make_corpus(args.n, corpus)
        off, _, _ = run_stage(corpus, args.jobs, events=False)
        on, arts, events = run_stage(corpus, args.jobs, events=True)
        print(f"{n} articles, {args.jobs} worker processes: analysis with events {on:.1f} s, without {off:.1f} s; "
              f"{events} events coded")
        print(f"  events/s over the whole analysis stage: {events / on:.0f}; articles/s {arts / on:.1f}")
        extra = on - off
        if extra > 0:
            print(f"  coding events costs {extra:.1f} s ({100 * extra / off:.0f}% of the stage): "
                  f"{events / extra:.0f} events/s of coding")
        t, k, c = coder_alone(corpus, 200)
        print(f"coder alone, one process, {k} parsed articles: {c} events in {t:.2f} s = {c / t:.0f} events/s, "
              f"{k / t:.0f} articles/s")


if __name__ == "__main__":
    main()
