"""The per-article unit: everything that depends on one article alone, run in worker processes.

`analyze_batch` takes plain payloads (picklable, small) and returns, per article, its language,
its sentences with entities and numbers (offsets mapped back to the original text), and, when
asked, its attributions and events, read from one parse. The parent process never touches a
spaCy `Doc`. The stage that feeds it (`unit.stage.Analyze`) hands batches to a process pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newstrace.attribution.records import chunks, found_in, records_for
from newstrace.events.records import records_for as event_records
from newstrace.language.embed import embed_title_and_sentences, lead_of, sentence_model
from newstrace.language.langid import detect_language
from newstrace.language.nlp import load_blank, load_nlp, load_parser, sentences_of
from newstrace.normalize.text import OffsetMap, normalize_text
from newstrace.records import Sentence

log = logging.getLogger(__name__)

# Threads per embedding call in the unit: one, since the unit runs in one worker per core.
EMBED_THREADS = 1


@dataclass(slots=True)
class Payload:
    """What a worker needs to analyse one article."""

    article_id: str
    text: str  # original
    published: str | None
    artefacts: list[tuple[str, int, int]]
    outlet: str | None = None  # the publishing outlet (Article.source), for second-hand sourcing
    title: str | None = None
    duplicate: bool = False  # an exact duplicate of a stored article: reads its original's vectors
    # the analysis view of `text` and its map back (normalize.text), made by the unit itself
    norm_text: str = ""
    segments: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Analysis:
    article_id: str
    language: str | None
    sentences: list[Sentence]
    error: str | None = None
    english: bool = True
    attributions: list[dict[str, Any]] | None = None  # attributions.jsonl records, when asked
    events: list[dict[str, Any]] | None = None  # events.jsonl records, when asked
    # sentence embeddings, when asked: the headline's, one row per non-artefact sentence (in
    # order), and the lead vector stories compare (`embed.lead_of`)
    title_vector: Any = None
    sentence_vectors: Any = None
    lead_vector: Any = None
    normalised: bool = False  # the analysis view differs from the text (normalize.text changed it)
    prepared: dict[str, Any] = field(default_factory=dict)  # what each of `prepare` made of it


@dataclass(slots=True)
class Analysed:
    """One analysed article as the unit hands it to the corpus passes' preparers (`Prepare`)."""

    article_id: str
    text: str  # original
    outlet: str | None
    published: str | None
    english: bool
    sentences: list[Sentence]
    attributions: list[dict[str, Any]]  # attributions.jsonl records ([] when not analysed)
    sentence_vectors: Any  # one row per non-artefact sentence, or None (a duplicate, or no embeddings)
    threads: int = EMBED_THREADS  # for any embedding a preparer does


# What a corpus pass asks the unit to make for it from one analysed article (the runner hands
# them in by name; the unit knows nothing of the passes above it): a plain module-level
# function of an `Analysed`, so it pickles by name, returning something picklable (or None).
Prepare = Callable[[Analysed], Any]


def analyze_batch(payloads: list[Payload], parse: bool = False, attributions: bool = False,
                  events: bool = False, actors: str | None = None, embeddings: bool = False,
                  prepare: dict[str, Prepare] | None = None) -> list[Analysis]:
    """Analyse a batch of articles; a failure in one article does not fail the others.

    Each text is first normalised (`normalize.text`: the analysis view, with its map back to the
    original); an article with no text left is returned with an error, to be skipped.

    With `attributions`, English articles are also parsed (`load_parser`) and their
    attributions extracted and resolved (`newstrace.attribution`); a failure there loses the
    article's attributions only, noted in the result. With `events`, the same parse is also
    coded into CAMEO events (`newstrace.events`, with the user's actor file `actors` if given).
    With `embeddings`, the headline and the non-artefact sentences of every article that is not
    an exact duplicate are embedded (`language.embed`, one thread: the workers are the
    parallelism) and its lead vector made; a failure there leaves the vectors to the corpus passes.
    With `prepare` (name -> `Prepare`), each article analysed without error is then handed to
    each preparer, whose result is kept under its name; a failure there leaves the work to the
    pass that asked.
    """
    nlp = load_nlp(parse)
    out: list[Analysis | None] = [None] * len(payloads)
    english: list[int] = []
    for i, p in enumerate(payloads):
        norm = normalize_text(p.text)
        p.norm_text, p.segments = norm.text, norm.map.segments
        if not norm.text.strip():
            out[i] = Analysis(p.article_id, None, [], "no text left after normalisation")
            continue
        lang = detect_language(p.norm_text)
        if lang in (None, "en"):
            english.append(i)
        out[i] = Analysis(p.article_id, lang, [], english=lang in (None, "en"),
                          normalised=len(norm.text) != len(p.text))
    try:
        docs = list(nlp.pipe([payloads[i].norm_text for i in english]))
    except Exception as exc:  # one bad text must not lose the batch: retry one by one
        log.debug("batch failed (%s); retrying articles one by one", exc)
        docs = []
        for i in english:
            try:
                docs.append(nlp(payloads[i].norm_text))
            except Exception as exc1:  # noqa: BLE001 - reported as a skip with its reason
                docs.append(None)
                out[i].error = f"language analysis failed: {type(exc1).__name__}: {exc1}"
    for i, doc in zip(english, docs):
        if doc is not None:
            out[i].sentences = sentences_of(payloads[i], doc)
    english_set = set(english)
    for i, p in enumerate(payloads):
        if i not in english_set and out[i].error is None:
            try:
                out[i].sentences = sentences_of(p, load_blank()(p.norm_text))
            except Exception as exc:  # noqa: BLE001
                out[i].error = f"sentence splitting failed: {type(exc).__name__}: {exc}"
    if embeddings:  # before events: the event model reads the sentence vectors
        for p, r in zip(payloads, out):
            if r is not None and r.error is None and not p.duplicate:
                _embed(p, r)
    if attributions or events:
        _attributions([payloads[i] for i in english], [out[i] for i in english], docs, events, actors,
                      keep=attributions)
    for p, r in zip(payloads, out):
        if r is None or r.error is not None:
            continue
        if prepare:
            _prepare(prepare, p, r)
    return [a for a in out if a is not None]


def _prepare(prepare: dict[str, Prepare], p: Payload, r: Analysis) -> None:
    view = Analysed(p.article_id, p.text, p.outlet, p.published, r.english, r.sentences, r.attributions or [],
                    r.sentence_vectors)
    for name, fn in prepare.items():
        try:
            made = fn(view)
        except Exception as exc:  # noqa: BLE001 - the pass that asked does it itself
            log.warning("preparing %s for %s failed: %s: %s", p.article_id, name, type(exc).__name__, exc)
            continue
        if made is not None:
            r.prepared[name] = made


def _embed(p: Payload, r: Analysis) -> None:
    texts = [s.text for s in r.sentences if s.artefact is None]
    try:
        r.title_vector, r.sentence_vectors = embed_title_and_sentences(p.title, texts, threads=EMBED_THREADS)
    except Exception as exc:  # noqa: BLE001 - the corpus passes embed what has no vectors
        log.warning("embedding %s failed: %s: %s", p.article_id, type(exc).__name__, exc)
        return
    r.lead_vector = lead_of(p.title, r.title_vector, texts, r.sentence_vectors)


def _attributions(payloads: list[Payload], results: list[Analysis], docs: list[Any], events: bool = False,
                  actors: str | None = None, keep: bool = True) -> None:
    """Parse, find attributions (the event coder reads them for reported speech) and code events;
    the attributions are returned only when `keep` (else they stay None: not asked for)."""
    todo = [(p, r, d) for p, r, d in zip(payloads, results, docs) if d is not None and r.error is None]
    if not todo:
        return
    parser = load_parser()
    pieces = [(k, start, p.norm_text[start:end]) for k, (p, _, _) in enumerate(todo)
              for start, end in chunks(p.norm_text)]
    try:
        parsed = list(parser.pipe([t for _, _, t in pieces]))
    except Exception:  # noqa: BLE001 - one by one, so one bad text loses only its own
        parsed = []
        for _, _, t in pieces:
            try:
                parsed.append(parser(t))
            except Exception:  # noqa: BLE001
                parsed.append(None)
    by_article: dict[int, list[tuple[int, Any]]] = {}
    failed: set[int] = set()
    for (k, start, _), pdoc in zip(pieces, parsed):
        if pdoc is None:
            failed.add(k)
        by_article.setdefault(k, []).append((start, pdoc))
    for k, (p, r, doc) in enumerate(todo):
        r.attributions = [] if keep else None
        if events:
            r.events = []
        if k in failed or k not in by_article:
            continue
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        omap = OffsetMap.build(p.segments)
        found: list[tuple[int, Any]] = []
        try:
            found = found_in(by_article[k], ents, p.outlet)
            if keep:
                r.attributions = records_for(p.article_id, p.text, found, omap, r.sentences)
        except Exception as exc:  # noqa: BLE001 - a bug here must not lose the article
            log.warning("attributions of %s failed: %s: %s", p.article_id, type(exc).__name__, exc)
        if events:
            try:
                vectors = None
                if r.sentence_vectors is not None:
                    vectors = ([s for s in r.sentences if s.artefact is None], r.sentence_vectors, sentence_model())
                r.events = event_records(p.article_id, p.text, by_article[k], found, ents, omap, r.sentences,
                                         p.published, actors, vectors)
            except Exception as exc:  # noqa: BLE001 - a bug here must not lose the article
                log.warning("events of %s failed: %s: %s", p.article_id, type(exc).__name__, exc)


