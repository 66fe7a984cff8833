"""The HTML report: one self-contained page (inline CSS and JS, no network) for a run.

`write_report` streams: articles are read once; the sections of the first `detail_limit`
articles are rendered to a temporary spool file as they arrive while the overview and the
index are tallied, then the page is rendered with `Template.generate()` and written chunk by
chunk, copying the spooled sections in. Memory is bounded by the index (at most
`INDEX_LIMIT` small rows) and one article at a time.

Later analyses (stories, provenance, claims, attributions, events) have reserved, empty
blocks in `templates/report.html.j2`; see `RESERVED_SECTIONS`.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from newstrace.report import render

__all__ = ["write_report", "INDEX_LIMIT", "RESERVED_SECTIONS"]

# The index lists at most this many articles (all of them are counted in the overview).
INDEX_LIMIT = 10_000
# Affected articles listed under each artefact kind in the overview.
ARTEFACT_SAMPLE = 40
# Problem skips shown before the rest are folded away.
SKIPS_SHOWN = 50
# Above this many detailed articles, off-screen sections are rendered lazily (CSS
# content-visibility), which keeps long reports responsive.
LONG_REPORT = 150
# Sections a later version will add; the template has an empty block for each, not rendered.
RESERVED_SECTIONS = ("stories", "provenance", "claims", "attributions", "events")

_TEMPLATES = Path(__file__).parent / "templates"
_STATIC = Path(__file__).parent / "static"
_CHUNK = 1 << 16


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["artefact_name"] = render.artefact_name
    env.filters["css_name"] = render.css_name
    env.filters["value"] = render.format_value
    env.filters["short_date"] = render.short_date
    env.filters["datetime"] = render.pretty_datetime
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else ("" if n is None else n)
    env.filters["seconds"] = _format_seconds
    return env


def write_report(path: Path, *, run: dict, articles: Iterable[dict],
                 sentences_for: Callable[[str], list[dict]], detail_limit: int = 2000) -> None:
    """Write the HTML report of a run to `path` (replaced atomically when done).

    `run` describes the run (tool, version, generated, inputs, out_dir, totals, summary);
    `articles` is streamed once; `sentences_for(article_id)` gives an article's sentences
    (with their entities and numbers). Only the first `detail_limit` articles get a full
    section; the rest are counted, and indexed up to `INDEX_LIMIT`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    env = _env()
    section = env.get_template("article.html.j2")
    page = env.get_template("report.html.j2")
    tally = _Tally(max(0, int(detail_limit)))
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", dir=str(path.parent)) as spool:
            prev: dict | None = None
            for view, nxt in _with_next(tally.views(articles, sentences_for)):
                for chunk in section.generate(a=view, prev=prev, next=nxt):
                    spool.write(chunk)
                prev = view
            spool.flush()
            spool.seek(0)
            context = tally.context(run)
            context.update(_static())
            with open(tmp, "w", encoding="utf-8", newline="\n") as out:
                for chunk in page.generate(**context, sections=_read_chunks(spool)):
                    out.write(chunk)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _with_next(items: Iterator[dict]) -> Iterator[tuple[dict, dict | None]]:
    """Each item with the one after it (None for the last): sections link to the next."""
    it = iter(items)
    try:
        current = next(it)
    except StopIteration:
        return
    for following in it:
        yield current, following
        current = following
    yield current, None


def _read_chunks(spool: IO[str]) -> Iterator[Markup]:
    while chunk := spool.read(_CHUNK):
        yield Markup(chunk)  # already rendered (and escaped) by article.html.j2


class _Tally:
    """Consumes the article stream: counts for the overview, rows for the index, and views
    of the detailed articles (yielded one at a time)."""

    def __init__(self, detail_limit: int) -> None:
        self.detail_limit = detail_limit
        self.count = 0
        self.detailed = 0
        self.sentences = 0
        self.entities = 0
        self.languages: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.labels: Counter[str] = Counter()
        self.artefacts: Counter[str] = Counter()  # kind -> occurrences
        self.artefact_articles: Counter[str] = Counter()  # kind -> articles with it
        self.artefact_samples: dict[str, list[dict]] = {}
        self.duplicates = 0
        self.non_english = 0
        self.rows: list[dict] = []
        self.seen: dict[str, bool] = {}  # article id -> has a section (for the first INDEX_LIMIT)
        self.titles: dict[str, str] = {}  # article id -> title, for "duplicate of" (same ids)
        self.nav: list[dict] = []

    def views(self, articles: Iterable[dict], sentences_for: Callable[[str], list[dict]]) -> Iterator[dict]:
        for article in articles:
            view = self._take(article, sentences_for)
            if view is not None:
                yield view

    def _take(self, a: dict, sentences_for: Callable[[str], list[dict]]) -> dict | None:
        self.count += 1
        number = self.count
        aid = str(a.get("id"))
        anchor = render.anchor_id(aid)
        title = (a.get("title") or "").strip()
        source = a.get("source") or ""
        language = a.get("language") or ""
        english = render.is_english(language)
        artefacts = [x for x in (a.get("artefacts") or ()) if isinstance(x, dict)]
        kinds = Counter(str(x.get("kind") or "artefact") for x in artefacts)
        detailed = number <= self.detail_limit
        indexed = number <= INDEX_LIMIT

        self.languages[language or "unknown"] += 1
        self.sources[source or "unknown"] += 1
        if english is False:
            self.non_english += 1
        if a.get("duplicate_of"):
            self.duplicates += 1
        for kind, n in kinds.items():
            self.artefacts[kind] += n
            self.artefact_articles[kind] += 1
            sample = self.artefact_samples.setdefault(kind, [])
            if len(sample) < ARTEFACT_SAMPLE:
                href = f"#{anchor}" if detailed else (f"#row-{anchor}" if indexed else None)
                sample.append({"href": href, "title": title, "id": aid, "n": n})

        if not indexed:
            return None
        sentences = [s for s in (sentences_for(aid) or ()) if isinstance(s, dict)]
        n_entities = 0
        for s in sentences:
            for e in s.get("entities") or ():
                n_entities += 1
                self.labels[str(e.get("label") or "entity")] += 1
        self.sentences += len(sentences)
        self.entities += n_entities

        dup = a.get("duplicate_of")
        dup = None if dup is None else str(dup)
        row = {
            "n": number, "id": aid, "anchor": anchor, "title": title, "source": source,
            "published": a.get("published") or "", "language": language, "english": english,
            "sentences": len(sentences), "entities": n_entities, "kinds": sorted(kinds.items()),
            "duplicate_of": dup, "dup_anchor": None, "detailed": detailed,
        }
        search = [title, source, language and f"lang:{language}", str(a.get("published") or ""),
                  a.get("author") or "", aid, *(f"kind:{k}" for k in kinds)]
        if dup:
            search.append("duplicate")
        if english is False:
            search.append("non-english")
        row["q"] = " ".join(str(x) for x in search if x).lower()
        self.rows.append(row)
        self.seen[aid] = detailed
        self.titles[aid] = title
        if not detailed:
            return None

        self.detailed += 1
        self.nav.append({"anchor": anchor, "title": title, "n": number, "english": english,
                         "duplicate": bool(dup), "artefacts": sum(kinds.values())})
        inp = a.get("input") or {}
        labels = Counter(str(e.get("label") or "entity") for s in sentences for e in (s.get("entities") or ()))
        numbers = sum(len(s.get("numbers") or ()) for s in sentences)
        return {
            "n": number, "id": aid, "anchor": anchor, "title": title, "source": source,
            "url": a.get("url") or "", "href": render.safe_url(a.get("url")),
            "published": a.get("published") or "", "crawled": a.get("crawled") or "",
            "author": a.get("author") or "", "language": language, "english": english,
            "input": inp if isinstance(inp, dict) else {}, "content_hash": a.get("content_hash") or "",
            "duplicate_of": dup,
            # the original is linked if it has a section; if it has not been seen yet, the
            # page's script unlinks the reference should it turn out to have none
            "dup_anchor": render.anchor_id(dup) if dup and self.seen.get(dup, True) else None,
            "dup_pending": bool(dup) and dup not in self.seen,
            "dup_title": self.titles.get(dup, "") if dup else "",
            "kinds": sorted(kinds.items()),
            "artefacts": artefacts,
            "sentences": len(sentences), "entities": n_entities, "numbers": numbers,
            "labels": sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])),
            "paragraphs": render.render_text(a.get("text") or "", sentences=sentences,
                                             artefacts=artefacts, title_span=a.get("title_span")),
        }

    def context(self, run: dict) -> dict[str, Any]:
        for row in self.rows:
            dup = row["duplicate_of"]
            if dup:
                row["dup_title"] = self.titles.get(dup, "")
                if self.seen.get(dup):
                    row["dup_anchor"] = render.anchor_id(dup)
        summary = run.get("summary") or {}
        totals = run.get("totals") or {}
        skips = [s for s in (summary.get("skips") or ()) if isinstance(s, dict)]
        problems = [s for s in skips if s.get("problem", True)]
        by_design: dict[str, dict] = {}
        for s in skips:
            if s.get("problem", True):
                continue
            key = render.reason_key(s.get("reason"))
            entry = by_design.setdefault(key, {"reason": key, "count": 0, "example": s})
            entry["count"] += 1
        skipped_total = totals.get("skipped", summary.get("skipped", len(skips)))
        labels = sorted(self.labels.items(), key=lambda kv: (-kv[1], kv[0]))
        all_labels = sorted(set(self.labels) | set(render.LABEL_HUES))
        return {
            "run": run,
            "tool": run.get("tool") or "newstrace",
            "version": run.get("version") or "",
            "schema_version": run.get("schema_version") or "",
            "generated": run.get("generated") or "",
            "generated_shown": render.format_generated(run.get("generated")),
            "inputs": [str(x) for x in (run.get("inputs") or ())],
            "out_dir": run.get("out_dir") or "",
            "seconds": summary.get("seconds"),
            "totals": {
                "articles": totals.get("articles", self.count),
                "sentences": totals.get("sentences", self.sentences),
                "entities": totals.get("entities", self.entities),
                "skipped": skipped_total,
            },
            "count": self.count,
            "detailed": self.detailed,
            "left_out": self.count - self.detailed,
            "indexed": len(self.rows),
            "index_limit": INDEX_LIMIT,
            "detail_limit": self.detail_limit,
            "languages": self.languages.most_common(),
            "sources": self.sources.most_common(),
            "non_english": self.non_english,
            "duplicates": self.duplicates,
            "labels": labels,
            "label_hues": [(render.css_name(lab), render.label_hue(lab)) for lab in all_labels],
            "artefacts": [{"kind": k, "occurrences": n, "articles": self.artefact_articles[k],
                           "sample": self.artefact_samples.get(k, [])}
                          for k, n in sorted(self.artefacts.items(), key=lambda kv: (-kv[1], kv[0]))],
            "artefact_kinds": sorted(self.artefacts),
            "stages": [s for s in (summary.get("stages") or ()) if isinstance(s, dict)],
            "problems": problems,
            "skips_shown": SKIPS_SHOWN,
            "by_design": sorted(by_design.values(), key=lambda e: (-e["count"], e["reason"])),
            "skips_listed": len(skips),
            "rows": self.rows,
            "nav": self.nav,
            "reserved": RESERVED_SECTIONS,
            "long_report": LONG_REPORT,
        }


@lru_cache(maxsize=1)
def _static() -> dict[str, Markup]:
    """The page's CSS and JS, inlined verbatim (they are ours, not data)."""
    return {name: Markup((_STATIC / f"report.{name}").read_text(encoding="utf-8")) for name in ("css", "js")}


def _format_seconds(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    minutes, sec = divmod(int(round(value)), 60)
    return f"{minutes} min {sec:02d} s"
