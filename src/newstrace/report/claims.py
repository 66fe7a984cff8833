"""The report's claims: what each article asserts, and whether the other articles bear it out.

Built from claim records (one line of claims.jsonl each: the claim's span `start`/`end` into
its article's `text`, its own `text`, `status` (supported, unsupported or contradicted),
`score` (P(supported)), `checkworthiness`, `reasons`, `evidence` (sentences of other articles,
best first, each with its `article_id`, `outlet`, span, `similarity`, `score` and `stance`),
`checked_against`, the `attribution` it is reported under, `denial` when the claim is itself a
denial and `denied_in_article` when its own article reports it denied). Three things come out
of it:

- per detailed article (`Claims.take`): the marks that colour each claim's span over the text
  by status (`render.Mark` layers of class `cl-supported`, `cl-unsupported`, `cl-contradicted`,
  listed in the pieces' `data-claim`, each with a lettered tag, S2, U3 or C4, before its first
  piece that links to the claim's details), and the views of the article's claims list: one
  line per claim (status, text, first reason) that opens to its score, check-worthiness,
  reasons, attribution and evidence;
- for the page (`Claims.context`): totals by status, a table per outlet (the article's
  `source`), the most check-worthy unsupported claims and the contradicted claims of the
  corpus with their reasons and the contradicting evidence;
- per listed story of two articles or more, a claim matrix (claims x articles, see
  `_matrix`): a row is one claim as told by several articles, joined when one's supporting
  evidence points into the other's span.

It is fed every article once, as the stream passes, and keeps counts and short rows only: an
article lists (and highlights) at most `ARTICLE_CLAIM_LIMIT` claims, the corpus lists keep the
best `WORTH_LIMIT` of each kind in a heap, and the matrices keep, for at most `MATRIX_STORIES`
stories, the claims (at most `MATRIX_CLAIMS` each, cut short) of at most `MATRIX_COLUMNS`
articles of each.

A claim whose span is out of the text's range, inverted, empty or not integers is listed but
not highlighted, and so is one overlapping a claim drawn before it (its entry says why): claim
highlights never nest, so each piece of text has one status colour at most. Nothing here
produces HTML: escaping is left to the (autoescaping) templates.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import count
from typing import Any

from newstrace.report import render
from newstrace.report.attributions import cut
from newstrace.report.render import Mark, field_number, field_text

# Claim statuses, in the order they are listed; a record with another status is "unknown".
STATUSES = ("supported", "unsupported", "contradicted")
UNKNOWN = "unknown"
# The letter drawn with each status, so that colour is never the only cue.
LETTERS = {"supported": "S", "unsupported": "U", "contradicted": "C", UNKNOWN: "?"}
# Evidence stances; another stance is shown as "neither". The last two speak against a claim.
STANCES = ("supports", "contradicts", "denied", "neither")
AGAINST = ("contradicts", "denied")

# Claims listed (and highlighted) in one article; the rest are counted.
ARTICLE_CLAIM_LIMIT = 300
# In a claim's details: reasons and evidence shown, and how much of each text.
REASONS_SHOWN = 8
EVIDENCE_SHOWN = 6
CLAIM_CHARS = 240  # a claim's text in one-line lists (its details show up to CLAIM_FULL)
CLAIM_FULL = 2000
EVIDENCE_CHARS = 320
REASON_CHARS = 300
# The corpus lists: unsupported claims most worth checking, and contradicted claims.
WORTH_LIMIT = 50
WORTH_REASONS = 4
AGAINST_SHOWN = 3
# Outlets listed in the table per outlet (most claims first); the rest are counted.
OUTLET_LIMIT = 200
# Claim matrices: stories that get one (the first listed with two articles or more), its
# articles (columns, by date), its rows, and the claims of one article kept for it.
MATRIX_STORIES = 30
MATRIX_COLUMNS = 12
MATRIX_ROWS = 40
MATRIX_CLAIMS = 150
LABEL_CHARS = 110


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: Any) -> list | tuple:
    return value if isinstance(value, (list, tuple)) else ()


def status_of(value: Any) -> str:
    """A record's status, one of `STATUSES` or "unknown"."""
    text = (field_text(value) or "").lower()
    return text if text in STATUSES else UNKNOWN


def claim_anchor(article_id: Any, number: int) -> str:
    """The fragment id of claim `number` (from 1, in text order) of an article's claims list:
    `claim-<id>-<number>`, the id made safe as `render.anchor_id` does (the number follows the
    last `-`, so different claims never share an anchor)."""
    return f"claim-{render.anchor_id(article_id).removeprefix('article-')}-{number}"


def _decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def normalise(record: Any, text: str) -> dict | None:
    """One claim record made safe to show (None if it is not a record at all): the span
    checked against `text` (`ok`), the status one of `STATUSES` or "unknown", numbers as
    floats or None, texts collapsed, the evidence, attribution and denials cleaned."""
    if not isinstance(record, dict):
        return None
    n = len(text)
    start, end = _int(record.get("start")), _int(record.get("end"))
    ok = start is not None and end is not None and 0 <= start < end <= n
    shown = field_text(record.get("text")) or (field_text(text[start:end]) if ok else None) or ""
    evidence = []
    for e in _list(record.get("evidence")):
        if not isinstance(e, dict):
            continue
        stance = (field_text(e.get("stance")) or "neither").lower()
        aid = e.get("article_id")
        es, ee = _int(e.get("start")), _int(e.get("end"))
        evidence.append({
            "aid": None if aid is None or isinstance(aid, (dict, list)) else str(aid),
            "outlet": field_text(e.get("outlet")), "start": es, "end": ee, "text": field_text(e.get("text")) or "",
            "similarity": field_number(e.get("similarity")), "score": field_number(e.get("score")),
            "stance": stance if stance in STANCES else "neither",
        })
    attribution = None
    att = record.get("attribution")
    if isinstance(att, dict):
        via = []
        for v in _list(att.get("via")):
            name = (field_text(v.get("name")) or field_text(v.get("text"))) if isinstance(v, dict) else field_text(v)
            if name:
                via.append(name)
        attribution = {"source": field_text(att.get("source")), "source_kind": field_text(att.get("source_kind")),
                       "cue": field_text(att.get("cue")), "cue_kind": field_text(att.get("cue_kind")),
                       "via": via, "denial": att.get("denial") is True}
    denial = record.get("denial")
    if isinstance(denial, dict):
        denial = {"denies": [d for d in (field_text(x) for x in _list(denial.get("denies"))) if d],
                  "content": field_text(denial.get("content"))}
    else:
        denial = None
    denied = record.get("denied_in_article")
    if isinstance(denied, dict):
        denied = {"claim_id": field_text(denied.get("claim_id")), "by": field_text(denied.get("by"))}
    else:
        denied = None
    return {
        "id": field_text(record.get("id")) or "", "start": start, "end": end, "ok": ok, "text": shown,
        "status": status_of(record.get("status")), "score": field_number(record.get("score")),
        "checkworthiness": field_number(record.get("checkworthiness")),
        "reasons": [r for r in (field_text(x) for x in _list(record.get("reasons"))) if r],
        "evidence": evidence, "checked_against": _int(record.get("checked_against")),
        "attribution": attribution, "denial": denial, "denied_in_article": denied,
    }


def tip(number: int, v: dict) -> str:
    """A claim's tooltip: `claim 2 · unsupported · P(supported) 12% · check-worthiness 0.80`,
    then its first reason."""
    line = f"claim {number} · {v['status']} · P(supported) {render.percent(v['score'])}"
    if v["checkworthiness"] is not None:
        line += f" · check-worthiness {v['checkworthiness']:.2f}"
    if v["reasons"]:
        line += "\n" + cut(v["reasons"][0], 140)
    return line


def marks(article_id: str, views: list[dict]) -> tuple[list[tuple[int, int, Mark]], dict[int, str]]:
    """The highlights of an article's claims (numbered from 1 in the order given) and, for
    each claim left without one, why. Claims are drawn in order of position; one overlapping
    a claim already drawn is not (highlights never nest)."""
    out: list[tuple[int, int, Mark]] = []
    why: dict[int, str] = {}
    good = []
    for number, v in enumerate(views, 1):
        if v["ok"]:
            good.append((v["start"], number, v))
        elif v["start"] is None or v["end"] is None:
            why[number] = "it has no position in the article's text"
        else:
            why[number] = "its position lies outside the article's text"
    last_end, last = -1, 0
    for start, number, v in sorted(good, key=lambda x: (x[0], x[1])):
        if start < last_end:
            why[number] = f"it overlaps claim {last}, highlighted instead"
            continue
        status = v["status"]
        out.append((start, v["end"], Mark(f"cl-{status}", tip(number, v), number, attr="claim",
                                          label=f"{LETTERS[status]}{number}",
                                          href=claim_anchor(article_id, number))))
        last_end, last = v["end"], number
    return out, why


def _counts(views: Iterable[dict]) -> list[tuple[str, int]]:
    c = Counter(v["status"] for v in views)
    return [(s, c[s]) for s in (*STATUSES, UNKNOWN) if c[s]]


class _Outlet:
    __slots__ = ("articles", "with_claims", "total", "statuses")

    def __init__(self) -> None:
        self.articles = 0
        self.with_claims = 0
        self.total = 0
        self.statuses: Counter[str] = Counter()


class _Top:
    """The `limit` best items by key (largest first), kept in a heap; ties keep arrival order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self.heap: list[tuple[tuple, int, dict]] = []
        self._seq = count()

    def wants(self, key: tuple) -> bool:
        """Whether an item of `key` would be kept (call before building it: `add` counts)."""
        self.total += 1
        return len(self.heap) < self.limit or key > self.heap[0][0]

    def add(self, key: tuple, item: dict) -> None:
        entry = (key, -next(self._seq), item)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, entry)
        else:
            heapq.heappushpop(self.heap, entry)

    def items(self) -> list[dict]:
        return [item for _, _, item in sorted(self.heap, key=lambda e: (e[0], e[1]), reverse=True)]


def _worth_key(v: dict) -> tuple:
    """Most check-worthy first, then the least supported."""
    cw = v["checkworthiness"]
    score = v["score"]
    return (cw if cw is not None else -1.0, -(score if score is not None else 1.0))


class Claims:
    """The claims of the articles as they stream past, for the article sections, the page's
    section and the stories' claim matrices.

    `stories` are the listed story views (`_Stories.listed`); `enabled` is False when no claims
    were given (the page then shows none). `take` is called once per article with its records.
    """

    def __init__(self, stories: Iterable[dict] = (), enabled: bool = True) -> None:
        self.enabled = enabled
        self.articles = 0
        self.with_claims = 0
        self.statuses: Counter[str] = Counter()
        self.denials = 0
        self.denied_in_article = 0
        self.unchecked = 0  # claims checked against no other article
        self.outlets: dict[str, _Outlet] = {}
        self.worth = _Top(WORTH_LIMIT)
        self.contra = _Top(WORTH_LIMIT)
        self.matrices: list[dict] = []
        self.matrices_more = 0
        self._columns: set[str] = set()
        self._kept: dict[str, dict] = {}  # article id -> its claims, for the matrices
        for view in stories if enabled else ():
            members: list[dict] = []
            seen: set[str] = set()
            for m in view["members"]:
                if m["id"] not in seen:
                    seen.add(m["id"])
                    members.append(m)
            if len(members) < 2:
                continue
            if len(self.matrices) >= MATRIX_STORIES:
                self.matrices_more += 1
                continue
            # by date (undated last), then in story order (arrival)
            order = sorted(range(len(members)), key=lambda i: (members[i]["when"] is None,
                                                              members[i]["when"] or datetime.min, i))
            columns = [members[i] for i in order]
            self.matrices.append({"view": view, "columns": columns[:MATRIX_COLUMNS],
                                  "left_out": len(columns) - MATRIX_COLUMNS})
            self._columns.update(m["id"] for m in columns[:MATRIX_COLUMNS])

    def take(self, article: dict, records: Iterable[Any] | None, *, detailed: bool,
             resolve: Callable[[str], tuple[str | None, bool]] | None = None
             ) -> tuple[list[tuple[int, int, Mark]], dict[str, Any] | None, set[str]]:
        """Count an article's claims; returns the marks for its text and the variables of its
        claims list (both only for a `detailed` article: else no marks and None), and the
        statuses its claims have. `resolve(article_id)` tells where an article's section is
        as far as known yet: (href, pending), pending when it may still come."""
        aid = str(article.get("id"))
        outlet = field_text(article.get("source"))
        text = article.get("text")
        text = text if isinstance(text, str) else ""
        try:
            views = [v for v in (normalise(r, text) for r in (records or ())) if v is not None]
        except TypeError:  # not a list of records at all
            views = []
        self.articles += 1
        self.with_claims += bool(views)
        o = self.outlets.get(outlet or "")
        if o is None:
            o = self.outlets[outlet or ""] = _Outlet()
        o.articles += 1
        o.with_claims += bool(views)
        o.total += len(views)
        title = cut(field_text(article.get("title")) or "", 120)
        anchor = render.anchor_id(aid) if detailed else None
        for number, v in enumerate(views, 1):
            status = v["status"]
            self.statuses[status] += 1
            o.statuses[status] += 1
            self.denials += v["denial"] is not None
            self.denied_in_article += v["denied_in_article"] is not None
            self.unchecked += v["checked_against"] == 0
            top = self.worth if status == "unsupported" else self.contra if status == "contradicted" else None
            if top is None:
                continue
            key = _worth_key(v)
            if top.wants(key):
                top.add(key, self._item(aid, title, outlet, anchor, number, v, against=top is self.contra))
        if aid in self._columns and aid not in self._kept:
            self._kept[aid] = {"detailed": detailed, "total": len(views),
                               "claims": [matrix_claim(n, v) for n, v in enumerate(views[:MATRIX_CLAIMS], 1)]}
        statuses = {v["status"] for v in views}
        if not detailed:
            return [], None, statuses
        shown = views[:ARTICLE_CLAIM_LIMIT]
        out, why = marks(aid, shown)
        numbers = {v["id"]: n for n, v in enumerate(shown, 1) if v["id"]}
        rows = [self._row(aid, n, v, why.get(n), numbers, resolve) for n, v in enumerate(shown, 1)]
        return out, {"claims": rows, "claims_total": len(views), "claims_more": len(views) - len(shown),
                     "claim_counts": _counts(views)}, statuses

    # -- per article ------------------------------------------------------------------

    @staticmethod
    def _row(aid: str, number: int, v: dict, why: str | None, numbers: dict[str, int],
             resolve: Callable[[str], tuple[str | None, bool]] | None) -> dict[str, Any]:
        """One claim of an article's list: the line that shows it and its details."""
        def ref(claim_id: str | None) -> dict:
            n = numbers.get(claim_id or "")
            return {"id": claim_id or "", "n": n, "href": claim_anchor(aid, n) if n else None}

        evidence = []
        for e in v["evidence"][:EVIDENCE_SHOWN]:
            href, pending = (None, False)
            if e["aid"] is not None and resolve is not None:
                href, pending = resolve(e["aid"])
            evidence.append({"aid": e["aid"], "outlet": e["outlet"], "href": href, "pending": pending,
                             "text": cut(e["text"], EVIDENCE_CHARS), "similarity": _decimal(e["similarity"]),
                             "score": render.percent(e["score"]), "stance": e["stance"]})
        att = v["attribution"]
        denial = v["denial"]
        denied = v["denied_in_article"]
        return {
            "n": number, "id": v["id"], "anchor": claim_anchor(aid, number), "status": v["status"],
            "letter": LETTERS[v["status"]], "text": cut(v["text"], CLAIM_CHARS),
            "full": cut(v["text"], CLAIM_FULL) if len(v["text"]) > CLAIM_CHARS else "",
            "first_reason": cut(v["reasons"][0], 160) if v["reasons"] else "",
            "reasons": [cut(r, REASON_CHARS) for r in v["reasons"][:REASONS_SHOWN]],
            "reasons_more": max(0, len(v["reasons"]) - REASONS_SHOWN),
            "score": render.percent(v["score"]), "checkworthiness": _decimal(v["checkworthiness"]),
            "checked_against": v["checked_against"],
            "evidence": evidence, "evidence_more": max(0, len(v["evidence"]) - EVIDENCE_SHOWN),
            "attribution": att,
            "denies": [ref(d) for d in denial["denies"]] if denial else [],
            "denial_content": cut(denial["content"], REASON_CHARS) if denial and denial["content"] else "",
            "is_denial": denial is not None,
            "denied_in": dict(ref(denied["claim_id"]), by=denied["by"]) if denied else None,
            "drawn": why is None, "why": why,
        }

    @staticmethod
    def _item(aid: str, title: str, outlet: str | None, anchor: str | None, number: int, v: dict,
              *, against: bool) -> dict[str, Any]:
        """A claim of the corpus lists (most check-worthy unsupported, contradicted)."""
        item = {
            "aid": aid, "title": title, "outlet": outlet, "n": number, "status": v["status"],
            "letter": LETTERS[v["status"]],
            "href": f"#{anchor}" if anchor else None,
            "claim_href": f"#{claim_anchor(aid, number)}" if anchor and number <= ARTICLE_CLAIM_LIMIT else None,
            "text": cut(v["text"], CLAIM_CHARS), "score": render.percent(v["score"]),
            "checkworthiness": _decimal(v["checkworthiness"]),
            "reasons": [cut(r, REASON_CHARS) for r in v["reasons"][:WORTH_REASONS]],
            "reasons_more": max(0, len(v["reasons"]) - WORTH_REASONS),
            "against": [], "denied_by": None,
        }
        if against:
            item["against"] = [{"aid": e["aid"], "outlet": e["outlet"], "text": cut(e["text"], EVIDENCE_CHARS),
                                "similarity": _decimal(e["similarity"]), "stance": e["stance"], "href": None}
                               for e in v["evidence"] if e["stance"] in AGAINST][:AGAINST_SHOWN]
            if v["denied_in_article"]:
                item["denied_by"] = v["denied_in_article"]["by"] or "someone"
        return item


    # -- the page ---------------------------------------------------------------------

    def context(self, sections: dict[str, bool]) -> dict[str, Any]:
        """The template's claim variables; `sections` tells which articles have a section."""
        if not self.enabled:
            return {"claims": False, "cl_matrices": {}}
        total = sum(self.statuses.values())

        def share(n: int, of: int) -> float | None:
            return n / of if of else None

        outlets = sorted(self.outlets.items(), key=lambda oc: (-oc[1].total, -oc[1].articles, oc[0] == "", oc[0]))
        rows = [{"source": o or None, "articles": c.articles, "with_claims": c.with_claims, "total": c.total,
                 "supported": c.statuses["supported"], "unsupported": c.statuses["unsupported"],
                 "contradicted": c.statuses["contradicted"],
                 "p_supported": share(c.statuses["supported"], c.total),
                 "p_unsupported": share(c.statuses["unsupported"], c.total),
                 "p_contradicted": share(c.statuses["contradicted"], c.total)}
                for o, c in outlets[:OUTLET_LIMIT]]
        contra = self.contra.items()
        for item in contra:
            for e in item["against"]:
                e["href"] = f"#{render.anchor_id(e['aid'])}" if e["aid"] and sections.get(e["aid"]) else None
        matrices = {}
        for mx in self.matrices:
            matrices.setdefault(mx["view"]["id"], self._matrix(mx, sections))
        return {
            "claims": True,
            "cl_totals": {"claims": total, "articles": self.articles, "with_claims": self.with_claims,
                          "denials": self.denials, "denied_in_article": self.denied_in_article,
                          "unchecked": self.unchecked},
            "cl_statuses": [{"status": s, "letter": LETTERS[s], "n": self.statuses[s],
                             "share": share(self.statuses[s], total)}
                            for s in (*STATUSES, UNKNOWN) if s != UNKNOWN or self.statuses[s]],
            "cl_outlets": rows,
            "cl_outlets_more": max(0, len(outlets) - OUTLET_LIMIT),
            "cl_worth": self.worth.items(), "cl_worth_total": self.worth.total,
            "cl_contra": contra, "cl_contra_total": self.contra.total,
            "cl_matrices": matrices, "cl_matrices_more": self.matrices_more,
            "cl_matrix_stories": MATRIX_STORIES,
        }

    def _matrix(self, mx: dict, sections: dict[str, bool]) -> dict[str, Any]:
        """A story's claim matrix (`claim_matrix`), linked to the sections the page has."""
        columns = mx["columns"]

        def claim_href(ci: int, number: int) -> str | None:
            kept = self._kept.get(columns[ci]["id"])
            if kept and kept["detailed"] and number <= ARTICLE_CLAIM_LIMIT:
                return f"#{claim_anchor(columns[ci]['id'], number)}"
            return None

        return claim_matrix(columns, self._kept, claim_href,
                            lambda aid: f"#{render.anchor_id(aid)}" if sections.get(aid) else None, mx["left_out"])


def matrix_claim(number: int, v: dict) -> tuple:
    """What a matrix needs of a claim (`normalise`d): (number, start, end, status, text,
    evidence), the span None when it is not good, evidence as (article id, start, end, stance)."""
    span = (v["start"], v["end"]) if v["ok"] else (None, None)
    ev = tuple((e["aid"], e["start"], e["end"], e["stance"]) for e in v["evidence"]
               if e["aid"] is not None and e["stance"] != "neither")
    return (number, *span, v["status"], cut(v["text"], 400), ev)


def claim_matrix(columns: list[dict], kept: dict[str, dict], claim_href: Callable[[int, int], str | None],
                 column_href: Callable[[str], str | None], left_out: int = 0) -> dict[str, Any]:
    """A story's claim matrix: claims x articles. `kept` holds each column's claims as
    `matrix_claim` makes them ({"claims": [...], "total": n}); `claim_href(column, number)`
    and `column_href(article id)` link cells and columns (None: no link).

    Columns are the story's first `MATRIX_COLUMNS` articles by published date (undated
    last), then arrival. Claim X of article A and claim Y of article B are one row when an
    evidence of X with stance "supports" points into B at a span overlapping Y's (or the
    other way round), and rows are closed under that (union-find); a claim linked to none
    is a row of its own. A cell is ✓ when the article has a claim of the row (with that
    claim's status) and ✗ when an evidence of one of the row's claims in that article
    contradicts or denies it. The row's first article is the leftmost reporting one (the
    earliest published; ties in story order), its label that article's first claim of it.
    Rows are ordered by how many articles report them, then by first appearance.
    """
    col_of = {m["id"]: i for i, m in enumerate(columns)}
    nodes: list[tuple[int, tuple]] = []  # (column, compact claim)
    spans: dict[str, list[tuple[int, int, int]]] = {}  # article id -> (start, end, node), by start
    cut_columns = 0
    for ci, m in enumerate(columns):
        mine = kept.get(m["id"])
        if not mine:
            continue
        cut_columns += mine["total"] > len(mine["claims"])
        for c in mine["claims"]:
            if c[1] is not None:
                spans.setdefault(m["id"], []).append((c[1], c[2], len(nodes)))
            nodes.append((ci, c))
    index = {}
    for aid, items in spans.items():
        items.sort()
        reach, top = [], -1
        for s, e, _ in items:
            top = max(top, e)
            reach.append(top)
        index[aid] = ([s for s, _, _ in items], reach, items)

    parent = list(range(len(nodes)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, (ci, c) in enumerate(nodes):
        own = columns[ci]["id"]
        for eaid, es, ee, stance in c[5]:
            if stance != "supports" or eaid == own or eaid not in index or es is None or ee is None or es >= ee:
                continue
            starts, reach, items = index[eaid]
            k = bisect_left(starts, ee) - 1  # claims starting before the evidence ends ...
            while k >= 0 and reach[k] > es:  # ... of which some may still reach into it
                s, e, j = items[k]
                if e > es:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                k -= 1

    groups: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        groups.setdefault(find(i), []).append(i)
    rows = []
    for members in groups.values():
        cells: dict[int, dict] = {}
        for i in members:
            ci, c = nodes[i]
            cell = cells.setdefault(ci, {"claims": [], "against": []})
            cell["claims"].append(c)
        for i in members:
            for eaid, _es, _ee, stance in nodes[i][1][5]:
                if stance in AGAINST and eaid in col_of:
                    cells.setdefault(col_of[eaid], {"claims": [], "against": []})["against"].append(stance)
        told = sorted(ci for ci, cell in cells.items() if cell["claims"])
        first = told[0]
        label = min(cells[first]["claims"], key=lambda c: (c[1] if c[1] is not None else float("inf"), c[0]))
        rows.append(((-len(told), first, label[1] if label[1] is not None else float("inf"), label[0]),
                     told, cells, first, label))
    rows.sort(key=lambda r: r[0])

    shown = []
    for _, told, cells, first, label in rows[:MATRIX_ROWS]:
        out = []
        for ci, m in enumerate(columns):
            cell = cells.get(ci)
            if cell is None:
                out.append(None)
                continue
            claims = sorted(cell["claims"], key=lambda c: c[0])
            against = "denied" if "denied" in cell["against"] else ("contradicts" if cell["against"] else None)
            status = claims[0][3] if claims else None
            who = m["source"] or "unknown outlet"
            if claims:
                tip = f"{who}: claim {claims[0][0]} ({status})"
                if len(claims) > 1:
                    tip += f" and {len(claims) - 1} more"
            else:
                tip = ""
            if against:
                said = "reports it denied" if against == "denied" else "contradicts it"
                tip += ("; " if tip else f"{who}: ") + said
            out.append({"reports": bool(claims), "status": status, "letter": LETTERS.get(status or "", ""),
                        "claims": len(claims), "against": against, "first": ci == first,
                        "href": claim_href(ci, claims[0][0]) if claims else None, "tip": tip})
        shown.append({"label": cut(label[4], LABEL_CHARS), "full": label[4], "count": len(told),
                      "href": claim_href(first, label[0]), "cells": out,
                      "status": label[3], "letter": LETTERS.get(label[3], "?")})
    cols = [{"id": m["id"], "title": m["title"], "source": m["source"], "published": m["published"],
             "hue": m.get("hue"), "href": column_href(m["id"]),
             "claims": (kept.get(m["id"]) or {}).get("total", 0)}
            for m in columns]
    return {"columns": cols, "rows": shown, "rows_total": len(rows), "rows_more": max(0, len(rows) - MATRIX_ROWS),
            "claims": len(nodes), "columns_more": max(0, left_out), "cut_columns": cut_columns,
            "multi": sum(1 for r in rows if -r[0][0] > 1), "row_limit": MATRIX_ROWS,
            "column_limit": MATRIX_COLUMNS, "claim_limit": MATRIX_CLAIMS}
