"""Rewriting evidence read from one article alone: the signs that it is itself a rewrite, and
the measures of originality that the family decision compares between articles.

Signs shown to the reader (`rewrite_signals` in articles.jsonl, each with its evidence and,
where a span shows it, `start`/`end`):
- `repeated_headline`, `repeated_line`: its own headline or a paragraph repeated through its
  body (from the artefacts stage), as content farms pad their rewrites;
- `machine_phrasing`: the text reads as machine-written (`style.StyleModel`, log-odds > 0),
  with its most machine-like sentences as spans;
- `outlet_attribution`: it attributes its material to another outlet ("Reuters reports
  that", "according to The Jerusalem Post"), as aggregators do when they retell another's
  report; an original names its sources ("sources told Reuters");
- `few_quotations`: it quotes nobody directly, while its sources usually do (set by the
  family pass, which knows the sources);
- `unsupported_material`: a share of it that no related article has (padding, or claims
  nobody else makes; set by the family pass, which knows the related articles).

Measures (`ArticleSignals.features`, compared between two articles by the family model):
the style log-odds, direct quotation marks, attribution cues per sentence, the number of
sentences, and whether it repeats its headline or a line. Originals quote people and name
who said what; rewrites turn quotations into reported speech, drop attributions and
condense (measured on the development rewrites: the source has the most quotation marks of
its family for 0.74 of families and the most cues for 0.75, ties shared).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from newstrace.records import Article

# Sentences shown as the evidence of machine phrasing.
STYLE_SPANS = 3
# A sentence is shown as machine-like evidence from this log-odds on.
STYLE_SPAN_MIN = 1.0
# Direct speech: quotation marks of every kind (pairs are not checked: a count of marks).
_QUOTE = re.compile(r"[\"“”«»„]")
_CUE = re.compile(r"\b(?:said|says|say|told|tells|according to|stated|added|asked|explained)\b", re.I)
ARTICLE_FEATURES = ["style", "quotes", "cues", "sentences", "repeats"]


@dataclass(slots=True)
class ArticleSignals:
    article_id: str
    style: float | None  # log-odds machine-written; None when not scored (not English)
    quotes: int  # quotation marks in its sentences (artefacts left out)
    cues: float  # attribution cues per sentence
    sentences: int  # sentences that are not artefacts
    signals: list[dict[str, Any]] = field(default_factory=list)  # the shown signs, as exported

    def features(self, use_style: bool = True) -> list[float]:
        """The article's measures, in the order of ARTICLE_FEATURES."""
        style = self.style if (use_style and self.style is not None) else 0.0
        repeats = any(s["kind"] in ("repeated_headline", "repeated_line") for s in self.signals)
        return [float(style), math.log1p(self.quotes), self.cues, math.log(max(1, self.sentences)), float(repeats)]

    def to_json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "style": None if self.style is None else round(self.style, 4),
                "quotes": self.quotes, "cues": round(self.cues, 4), "sentences": self.sentences,
                "signals": self.signals}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ArticleSignals:
        return cls(d["article_id"], d.get("style"), int(d.get("quotes") or 0), float(d.get("cues") or 0.0),
                   int(d.get("sentences") or 0), list(d.get("signals") or []))


def _repeats(article: Article) -> list[dict[str, Any]]:
    out = []
    for kind in ("repeated_headline", "repeated_line"):
        spans = [a for a in article.artefacts if a.kind == kind]
        if not spans:
            continue
        what = "its headline" if kind == "repeated_headline" else "a line"
        times = "once" if len(spans) == 1 else f"{len(spans)} times"
        for a in spans:
            out.append({"kind": kind, "evidence": f"{what} stands again in its body ({times} in all)",
                        "start": a.start, "end": a.end})
    return out


def _outlet_attributions(article: Article, artefact_spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    out = []
    for r in article.attributions:
        src = r.get("source") or {}
        if src.get("kind") != "outlet":
            continue
        cue = r.get("cue") or {}
        start = min(int(src.get("start", cue.get("start", 0))), int(cue.get("start", 0)))
        end = max(int(src.get("end", 0)), int(cue.get("end", 0)))
        if any(s <= start < e for s, e in artefact_spans):
            continue  # "According to the New York Times:" before an embed the page lost
        name = src.get("name") or src.get("text") or "another outlet"
        out.append({"kind": "outlet_attribution",
                    "evidence": f"attributes its material to {name}: “{article.text[start:end]}”",
                    "start": start, "end": end})
    return out


def article_signals(article: Article, style_scores: tuple[float, list[float]] | None) -> ArticleSignals:
    """The signals of one analysed article. `style_scores` is (the whole text's log-odds, one
    per non-artefact sentence), or None when the article is not scored (not English)."""
    sents = [s for s in article.sentences if s.artefact is None]
    text = " ".join(s.text for s in sents)
    signals = _repeats(article)
    artefact_spans = [(s.start, s.end) for s in article.sentences if s.artefact is not None]
    signals += _outlet_attributions(article, artefact_spans)
    style = None
    if style_scores is not None:
        style, per_sentence = style_scores
        if style > 0:
            ranked = sorted(zip(per_sentence, sents), key=lambda x: -x[0])
            top = [s for z, s in ranked[:STYLE_SPANS] if z >= STYLE_SPAN_MIN]
            signals.append({"kind": "machine_phrasing",
                            "evidence": f"reads as machine-written (style log-odds {style:+.2f}; "
                                        f"human news text is mostly below 0)", "score": round(style, 4)})
            for s in sorted(top, key=lambda s: s.start):
                signals.append({"kind": "machine_phrasing", "evidence": "one of its most machine-like sentences",
                                "start": s.start, "end": s.end})
    cues = len(_CUE.findall(text)) / max(1, len(sents))
    return ArticleSignals(article.id, style, len(_QUOTE.findall(text)), cues, len(sents), signals)


def score_articles(articles: list[Article], english: list[bool]) -> list[ArticleSignals]:
    """Signals of a batch of analysed articles; only English articles are scored for style, and
    only those that read as machine-written have their sentences scored (for the evidence)."""
    from newstrace.provenance.style import default_style

    model = default_style()
    out = []
    for a, en in zip(articles, english):
        if not en:
            out.append(article_signals(a, None))
            continue
        sents = [s.text for s in a.sentences if s.artefact is None]
        whole = float(model.scores([" ".join(sents)])[0]) if sents else 0.0
        per = model.scores(sents).tolist() if whole > 0 else [0.0] * len(sents)
        out.append(article_signals(a, (whole, per)))
    return out
