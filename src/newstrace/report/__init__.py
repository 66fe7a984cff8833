"""The HTML report: one self-contained page (inline CSS and JS, no network) for a run.

`write_report` streams: articles are read once; the sections of the first `detail_limit`
articles are rendered to a temporary spool file as they arrive while the overview and the
index are tallied, then the page is rendered with `Template.generate()` and written chunk by
chunk, copying the spooled sections in. Memory is bounded by the index (at most
`INDEX_LIMIT` small rows) and one article at a time.

Stories (`stories=`, the records of stories.jsonl) get a table after the overview and a
collapsed section each, with a timeline of their articles drawn as inline SVG; every
article's section links to its story.

Derivations (`derivations=`, the records of derivations.jsonl) get a provenance section after
the stories: the derivation graph drawn as inline SVG, a table of the derived pairs, and the
first pairs' texts side by side with their aligned passages (see `provenance.py`). Only the
texts of those pairs are kept while the articles stream past.

Attributions (`attributions_for=`, giving an article's records as in attributions.jsonl) are
highlighted in each detailed article's text (source, cue and content) with a "who said what"
table under it, and get a section of their own: totals, a table per outlet and, per listed
story, who said what grouped by speaker (see `attributions.py`). Only counts and short rows
are kept while the articles stream past.

Claims (`claims_for=`, giving an article's records as in claims.jsonl) are coloured by status
(supported, unsupported, contradicted) over each detailed article's text, with a list under it
whose lines open to each claim's reasons, attribution and evidence; the page gets a claims
section (totals, per outlet, the unsupported claims most worth checking, the contradicted
ones) and each listed story of two articles or more a claim matrix, claims x articles (see
`claims.py`). Only counts, short rows and the matrices' bounded claims are kept.

Events (`events=`, the records of events.jsonl) get a section after the attributions: counts
by mode and quad class, the most active actors, the actor network drawn as inline SVG, a
timeline per busiest source -> target pair and a table of the events with their sentences
(see `events.py`). The records are given whole; only the table's bounded rows keep sentences
taken out of the articles as they stream past.

No section is reserved for a later analysis any more (`RESERVED_SECTIONS` is empty).
"""

from __future__ import annotations

import heapq
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
from newstrace.report.attributions import Attributions
from newstrace.report.claims import LETTERS as CLAIM_LETTERS
from newstrace.report.claims import Claims
from newstrace.report.events import Events
from newstrace.report.provenance import Provenance
from newstrace.report.provenance import article_view as provenance_view

__all__ = ["write_report", "INDEX_LIMIT", "STORY_LIMIT", "RESERVED_SECTIONS"]

# The index lists at most this many articles (all of them are counted in the overview).
INDEX_LIMIT = 3_000
# Characters of article sections the page holds at most: past them, the articles that follow
# are listed in the index without a section. A section with its claims and attributions is
# 20-250 KB; a page of 75 MB took 15 s to open in Chromium (benchmarks/report_open.py).
DETAIL_CHARS = 4_000_000
# Affected articles listed under each artefact kind in the overview.
ARTEFACT_SAMPLE = 40
# Problem skips shown before the rest are folded away.
SKIPS_SHOWN = 50
# Above this many detailed articles, off-screen sections are rendered lazily (CSS
# content-visibility), which keeps long reports responsive.
LONG_REPORT = 150
# The stories table (and the story sections) list at most this many stories, largest first.
STORY_LIMIT = 100
# Top entities of a story shown in the stories table (its section shows all it has).
STORY_ENTITIES = 3
# Outlets of a story named in the stories table before the rest are counted.
STORY_OUTLETS = 3
# Up to this many listed stories, their sections are open when the page loads.
STORIES_OPEN = 10
# In a story's section: undated articles named under the timeline (all are in the list),
# and the most articles listed before the list is folded away.
UNDATED_SHOWN = 12
MEMBERS_SHOWN = 25
# Sections a later version will add; the template has an empty block for each, not rendered.
RESERVED_SECTIONS: tuple[str, ...] = ()

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
    env.filters["percent"] = render.percent
    env.filters["claim_letter"] = lambda status: CLAIM_LETTERS.get(status, "?")
    return env


def write_report(path: Path, *, run: dict, articles: Iterable[dict],
                 sentences_for: Callable[[str], list[dict]], detail_limit: int = 2000,
                 detail_chars: int = DETAIL_CHARS,
                 stories: list[dict] | None = None, derivations: list[dict] | None = None,
                 attributions_for: Callable[[str], list[dict]] | None = None,
                 claims_for: Callable[[str], list[dict]] | None = None,
                 events: list[dict] | None = None, families: list[dict] | None = None) -> None:
    """Write the HTML report of a run to `path` (replaced atomically when done).

    `run` describes the run (tool, version, generated, inputs, out_dir, totals, summary);
    `articles` is streamed once; `sentences_for(article_id)` gives an article's sentences
    (with their entities and numbers). Only the first `detail_limit` articles get a full
    section, and only while the sections written hold fewer than `detail_chars` characters (so
    the page opens quickly); the rest are counted, and indexed up to `INDEX_LIMIT`. `stories` are story
    records (as in stories.jsonl); the largest `STORY_LIMIT` are listed, each with a section.
    `derivations` are derivation records (as in derivations.jsonl); given (even empty), the
    page has a provenance section; None (not analysed) leaves it out. `families` (as in
    families.jsonl) are drawn there as trees, each with its original(s) at the root.
    `attributions_for(article_id)` gives an article's attribution records (as in
    attributions.jsonl, in text order); it is called once for every article. Given, the
    detailed articles show their attributions and the page has an attributions section;
    None (not analysed) leaves both out.
    `claims_for(article_id)` gives an article's claim records (as in claims.jsonl, in text
    order); it is called once for every article. Given, the detailed articles show their
    claims, the page has a claims section and the listed stories of two articles or more a
    claim matrix; None (not analysed) leaves them all out.
    `events` are event records (as in events.jsonl); given (even empty), the page has an
    events section; None (not analysed) leaves it out.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    env = _env()
    section = env.get_template("article.html.j2")
    page = env.get_template("report.html.j2")
    listed = _Stories(stories)
    tally = _Tally(max(0, int(detail_limit)), listed, Provenance(derivations, families),
                   Attributions(listed.listed, enabled=attributions_for is not None),
                   Claims(listed.listed, enabled=claims_for is not None), Events(events))
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", dir=str(path.parent)) as spool:
            prev: dict | None = None
            written = 0
            for view, nxt in _with_next(tally.views(articles, sentences_for, attributions_for, claims_for)):
                for chunk in section.generate(a=view, prev=prev, next=nxt):
                    spool.write(chunk)
                    written += len(chunk)
                prev = view
                if written >= detail_chars:
                    tally.stop_details()
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

    def __init__(self, detail_limit: int, stories: _Stories | None = None,
                 provenance: Provenance | None = None, attributions: Attributions | None = None,
                 claims: Claims | None = None, events: Events | None = None) -> None:
        self.detail_limit = detail_limit
        self.stories = stories if stories is not None else _Stories(None)
        self.provenance = provenance if provenance is not None else Provenance(None)
        self.attributions = attributions if attributions is not None else Attributions(enabled=False)
        self.claims = claims if claims is not None else Claims(enabled=False)
        self.events = events if events is not None else Events(None)
        self.count = 0
        self.detailed = 0
        self.page_full = False  # sections stopped at the page's size budget (DETAIL_CHARS)
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

    def views(self, articles: Iterable[dict], sentences_for: Callable[[str], list[dict]],
              attributions_for: Callable[[str], list[dict]] | None = None,
              claims_for: Callable[[str], list[dict]] | None = None) -> Iterator[dict]:
        for article in articles:
            view = self._take(article, sentences_for, attributions_for, claims_for)
            if view is not None:
                yield view

    def _take(self, a: dict, sentences_for: Callable[[str], list[dict]],
              attributions_for: Callable[[str], list[dict]] | None = None,
              claims_for: Callable[[str], list[dict]] | None = None) -> dict | None:
        self.count += 1
        number = self.count
        aid = str(a.get("id"))
        self.provenance.take(a)
        if self.events.enabled:
            self.events.take(a, number)
        anchor = render.anchor_id(aid)
        title = (a.get("title") or "").strip()
        source = a.get("source") or ""
        language = a.get("language") or ""
        english = render.is_english(language)
        artefacts = [x for x in (a.get("artefacts") or ()) if isinstance(x, dict)]
        kinds = Counter(str(x.get("kind") or "artefact") for x in artefacts)
        detailed = number <= self.detail_limit
        indexed = number <= INDEX_LIMIT
        att_views: list[dict] = []
        att_marks: list = []
        att_rows: list[dict] | None = None
        if attributions_for is not None and self.attributions.enabled:
            att_views, att_marks, att_rows = self.attributions.take(
                a, attributions_for(aid), detailed=detailed)
        cl_marks: list = []
        cl_view: dict | None = None
        cl_statuses: set[str] = set()
        if claims_for is not None and self.claims.enabled:
            cl_marks, cl_view, cl_statuses = self.claims.take(
                a, claims_for(aid), detailed=detailed, resolve=self._section_of)

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
        if att_views:
            search.append("attributions")
        if any(v["anonymous"] for v in att_views):
            search.append("anonymous")
        if any(v["second_hand"] for v in att_views):
            search.append("second-hand")
        if cl_statuses:
            search.append("claims")
        search += [f"{s}-claims" for s in ("unsupported", "contradicted") if s in cl_statuses]
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
            "stories": self.stories.of(aid),
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
                                             artefacts=artefacts, title_span=a.get("title_span"),
                                             marks=att_marks + cl_marks),
            # None: attributions were not analysed (nothing is shown); else the table's rows
            "attributions": att_rows,
            "att_anonymous": sum(1 for v in att_views if v["anonymous"]),
            "att_second_hand": sum(1 for v in att_views if v["second_hand"]),
            # None: claims were not analysed (nothing is shown); else the claims list's variables
            "claims": None if cl_view is None else cl_view["claims"],
            "claims_total": cl_view["claims_total"] if cl_view else 0,
            "claims_more": cl_view["claims_more"] if cl_view else 0,
            "claim_counts": cl_view["claim_counts"] if cl_view else [],
            "prov": provenance_view(a),
        }

    def stop_details(self) -> None:
        """No more sections: the articles still to come are indexed only (the page is full)."""
        if self.detail_limit > self.count:
            self.detail_limit = self.count
            self.page_full = True

    def _section_of(self, article_id: str) -> tuple[str | None, bool]:
        """Where an article's section is, as far as known while the stream passes: (href,
        pending). Pending: not seen yet but it may still get a section (the page's script
        unlinks the reference if it does not)."""
        if article_id in self.seen:
            return (f"#{render.anchor_id(article_id)}" if self.seen[article_id] else None), False
        if self.count >= self.detail_limit or self.count >= INDEX_LIMIT:
            return None, False  # every article still to come is past the detail limit
        return f"#{render.anchor_id(article_id)}", True

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
        all_labels = sorted(set(self.labels) | set(render.LABEL_HUES) | self.stories.labels)
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
            "page_full": self.page_full,
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
            **self.stories.context(self.seen, self.titles),
            **self.provenance.context(self.seen),
            **self.attributions.context(self.seen),
            **self.claims.context(self.seen),
            **self.events.context(self.seen),
        }


class _Stories:
    """The stories to list: the largest `STORY_LIMIT`, ordered largest first, then newest.

    Built before the articles are read (their sections link to their story); the members'
    links and the timelines are worked out afterwards, when it is known which articles got
    a section.
    """

    def __init__(self, stories: Iterable[dict] | None) -> None:
        self.total = 0
        self.has_derived = self.has_unsupported = False

        def given() -> Iterator[dict]:  # the stream, counted as it passes
            for s in stories or ():
                if isinstance(s, dict):
                    self.total += 1
                    self.has_derived = self.has_derived or s.get("derived_articles") is not None
                    self.has_unsupported = self.has_unsupported or s.get("unsupported_claims") is not None
                    yield s

        # as sorted(reverse=True)[:STORY_LIMIT] (ties keep their given order), holding STORY_LIMIT
        self.listed = [_story_view(s) for s in heapq.nlargest(STORY_LIMIT, given(), key=_story_order)]
        self.labels: set[str] = {e["label"] for v in self.listed for e in v["entities"]}
        self._of: dict[str, list[dict]] = {}
        for v in self.listed:
            link = {"anchor": v["anchor"], "label": v["label"], "size": v["size"]}
            for m in v["members"]:
                links = self._of.setdefault(m["id"], [])
                if not links or links[-1]["anchor"] != v["anchor"]:
                    links.append(link)

    def of(self, article_id: str) -> list[dict]:
        """The listed stories an article belongs to (usually one, or none)."""
        return self._of.get(article_id, [])

    def context(self, sections: dict[str, bool], titles: dict[str, str]) -> dict[str, Any]:
        """The template's story variables; `sections` tells which articles have a section,
        `titles` gives the titles of indexed articles (for members listed without one)."""
        for v in self.listed:
            dated: list[tuple[Any, dict]] = []
            for m in v["members"]:
                m["href"] = f"#{render.anchor_id(m['id'])}" if sections.get(m["id"]) else None
                if not m["title"]:
                    m["title"] = titles.get(m["id"], "")
                if m["when"] is not None:
                    dated.append((m["when"], m))
            v["timeline"] = render.timeline(dated) if dated else None
            v["dated"] = [m for _, m in sorted(dated, key=lambda dm: dm[0])]
            v["undated"] = [m for m in v["members"] if m["when"] is None]
        return {
            "stories": self.listed,
            "stories_total": self.total,
            "stories_more": self.total - len(self.listed),
            "stories_singles": sum(1 for v in self.listed if v["size"] == 1),
            "stories_open": len(self.listed) <= STORIES_OPEN,
            "story_derived": self.has_derived,
            "story_unsupported": self.has_unsupported,
            "story_entities": STORY_ENTITIES,
            "story_outlets": STORY_OUTLETS,
            "undated_shown": UNDATED_SHOWN,
            "members_shown": MEMBERS_SHOWN,
        }


def _story_order(s: dict) -> tuple:
    """Sort key (descending): size, then dated before undated, then latest end, then start."""
    end = render.short_date(s.get("end"))
    start = render.short_date(s.get("start"))
    return (_story_size(s), bool(end or start), end or start, start or end)


def _story_size(s: dict) -> int:
    size = s.get("size")
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    members = s.get("members")
    return len(members) if isinstance(members, list) else 0


def _story_view(s: dict) -> dict[str, Any]:
    sid = str(s.get("id"))
    label = " ".join(str(s.get("label") or "").split()) or sid
    outlets = []
    for o in s.get("outlets") or ():
        if isinstance(o, dict):
            outlets.append({"source": _name(o.get("source")), "articles": o.get("articles")})
    raw = [m for m in (s.get("members") or ()) if isinstance(m, dict)]
    if not raw and isinstance(s.get("article_ids"), list):  # a record with ids only
        raw = [{"article_id": aid} for aid in s["article_ids"]]
    hues = render.outlet_hues([*(o["source"] for o in outlets), *(_name(m.get("source")) for m in raw)])
    for o in outlets:
        o["hue"] = hues.get(o["source"] or "")
    entities = [{"text": str(e.get("text") or ""), "label": str(e.get("label") or "entity"), "count": e.get("count")}
                for e in (s.get("top_entities") or ()) if isinstance(e, dict)]
    first = s.get("first_article") or s.get("first_article_id")
    members = []
    for i, m in sorted(enumerate(raw), key=lambda im: (_arrival(im[1]), im[0])):
        aid = str(m.get("article_id"))
        published = m.get("published") or m.get("crawled") or ""
        source = _name(m.get("source"))
        members.append({
            "id": aid, "title": " ".join(str(m.get("title") or "").split()), "source": source,
            "published": str(published), "when": render.parse_when(published),
            "probability": m.get("probability"), "arrival": m.get("arrival"),
            "first": first is not None and aid == str(first), "hue": hues.get(source or ""),
            "href": None,
        })
    start, end = s.get("start"), s.get("end")
    search = [label, sid, *(o["source"] or "unknown outlet" for o in outlets),
              *(e["text"] for e in entities), render.short_date(start), render.short_date(end)]
    size = _story_size(s)
    return {
        "id": sid, "anchor": render.story_anchor(sid), "label": label, "size": size,
        "start": start, "end": end, "active": s.get("active"),
        "outlets": outlets, "entities": entities, "members": members,
        "derived": render.count_of(s.get("derived_articles")),
        "unsupported": render.count_of(s.get("unsupported_claims")),
        "q": " ".join(str(x) for x in search if x).lower(),
    }


def _name(source: Any) -> str | None:
    """An outlet's name, or None for an unknown outlet."""
    return None if source is None or str(source).strip() == "" else str(source)


def _arrival(m: dict) -> float:
    a = m.get("arrival")
    return a if isinstance(a, (int, float)) and not isinstance(a, bool) else float("inf")


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
