"""The report's attributions: who said what, according to whom.

Built from attribution records (one line of attributions.jsonl each: `kind`, `direct`,
`denial`, the `cue`, `source` and `content` spans with their `content_parts`, the resolved
who the source is (`source.kind`, `source.name`, ...), the outlet chain `via`, `second_hand`; every span a character range of the
article's `text`). Two things come out of it:

- per detailed article (`marks`, and the rows of `Attributions.take`): the marks that
  highlight each attribution's source, cue and content (or its content's parts) in the text,
  as `render.Mark` layers for `render.render_text` (class `att-source`, `att-cue`,
  `att-content`; they overlap entities, sentences and each other freely), and the rows of its
  "Who said what" table;
- for the page, `Attributions`: totals, a table per outlet (the article's `source`), and per
  listed story a "who said what" list grouped by speaker with per-outlet counts. It is fed
  every article once, as the stream passes (`take`), and keeps counts and short rows only:
  contents are cut to `CONTENT_CHARS`, a story lists at most `STORY_ATT_LIMIT` attributions
  (the rest are counted) under at most `STORY_SPEAKER_LIMIT` speakers, and each outlet's
  speaker counts are trimmed to the most frequent `SPEAKER_KEEP` when they grow past twice
  that (so the most-cited speakers of a very large outlet are approximate).

Spans out of the text's range, inverted, or not integers are not highlighted (the table still
shows the record's own text for them). Nothing here produces HTML: escaping is left to the
(autoescaping) templates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from newstrace.report import render
from newstrace.report.render import Mark

# Characters of a content (or cue, or source) shown in tables and lists.
CONTENT_CHARS = 200
# Attributions listed in one story's "who said what" (the rest are counted).
STORY_ATT_LIMIT = 30
# Speakers a story groups its attributions under; later speakers' attributions are counted.
STORY_SPEAKER_LIMIT = 30
# Outlets listed in the table per outlet (most attributions first); the rest are counted.
OUTLET_LIMIT = 200
# Most-cited speakers named per outlet.
TOP_SPEAKERS = 3
# Speaker counts kept per outlet (trimmed to this many when they reach twice as many).
SPEAKER_KEEP = 500

# Speaker types, in the order the legend and the page list them.
TYPES = ("person", "organisation", "government", "outlet", "anonymous", "unknown")
ROLES = ("source", "cue", "content")
_NO_SOURCE = "no source written"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    """A text field with its whitespace collapsed, or None when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def cut(text: str | None, limit: int = CONTENT_CHARS) -> str:
    """`text` with whitespace collapsed, cut to about `limit` characters at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:—–-") + "…"


def _span(value: Any, length: int, *, empty: bool = False) -> dict | None:
    """A span record as {start, end, text, ok}: `ok` when it lies inside a text of `length`
    characters (and is not empty unless `empty`). None when there is nothing at all."""
    if not isinstance(value, dict):
        return None
    start, end = _int(value.get("start")), _int(value.get("end"))
    ok = start is not None and end is not None and 0 <= start <= end <= length and (empty or start < end)
    return {"start": start, "end": end, "text": value.get("text"), "ok": ok}


def _shown(span: dict | None, text: str) -> str:
    """What a span says: the article's text where the range is good, else the record's text."""
    if span is None:
        return ""
    if span["ok"]:
        return text[span["start"]:span["end"]]
    return str(span["text"] or "")


def normalise(record: Any, text: str, outlet: str | None = None) -> dict | None:
    """One attribution record made safe to show (None if it is not a record at all): spans
    checked against `text`, speaker fields cleaned, the flags as booleans. `outlet` is the
    article's own outlet (to tell second-hand reporting when the record does not say)."""
    if not isinstance(record, dict):
        return None
    n = len(text)
    source = _span(record.get("source"), n)
    cue = _span(record.get("cue"), n)
    content = _span(record.get("content"), n, empty=True)
    # the content's pieces around a cue inside it; pieces outside the text are left out (with
    # none left, the content is shown whole)
    parts = [p for p in (_span(x, n) for x in (record.get("content_parts") or ()) if isinstance(x, dict))
             if p is not None and p["ok"]]
    # who the source is rides on the source span (`kind`, `name`, `role`, ...: docs/schema.md)
    sp = record.get("source") if isinstance(record.get("source"), dict) else {}
    kind = _str(record.get("cue_kind")) or "attribution"
    stype = _str(sp.get("kind")) or "unknown"
    name = _str(sp.get("name"))
    source_text = _str(_shown(source, text))
    anonymous = sp.get("anonymous") is True or stype == "anonymous"
    via = []
    for v in record.get("via") or ():
        if isinstance(v, dict):
            shown = _str(v.get("name")) or _str(v.get("text"))
            if shown:
                via.append({"name": shown, "type": _str(v.get("type")) or "outlet"})
        elif isinstance(v, str) and v.strip():
            via.append({"name": " ".join(v.split()), "type": "outlet"})
    second = record.get("second_hand")
    if not isinstance(second, bool):
        second = bool(via) or (stype == "outlet" and name is not None and (outlet or "").casefold() != name.casefold())
    if parts:
        content_text = " … ".join(t for t in (_str(_shown(p, text)) for p in parts) if t)
    else:
        content_text = _str(_shown(content, text)) or ""
    return {
        "id": _str(record.get("id")) or "",
        "kind": kind,
        "direct": record.get("direct") is True,
        "denial": record.get("denial") is True or kind == "denial",
        "source": source, "cue": cue, "content": content, "parts": parts,
        "name": name, "type": stype, "role": _str(sp.get("role")), "country": _str(sp.get("country")),
        "anonymous": anonymous, "resolved_from": _str(sp.get("resolved_from")),
        "source_text": source_text, "cue_text": _str(_shown(cue, text)) or "",
        "content_text": content_text,
        "via": via, "second_hand": second,
    }


def who(v: dict) -> str:
    """The speaker as a tooltip names it: `Yoav Gallant (person)`."""
    shown = v["name"] or (f"“{cut(v['source_text'], 60)}”" if v["source_text"] else _NO_SOURCE)
    kind = v["type"] + (", anonymous" if v["anonymous"] and v["type"] != "anonymous" else "")
    return f"{shown} ({kind})"


def _tip(number: int, role: str, v: dict) -> str:
    flags = [x for x, on in (("direct quote", v["direct"]), ("denial", v["denial"]),
                             ("second-hand", v["second_hand"])) if on]
    if v["via"]:
        flags.append("via " + " › ".join(x["name"] for x in v["via"]))
    tail = f" · {', '.join(flags)}" if flags else ""
    return f"#{number} {role} · {v['kind']} · {who(v)}{tail}"


def marks(views: Iterable[dict]) -> list[tuple[int, int, Mark]]:
    """The highlights of an article's attributions (numbered from 1 in the order given): the
    source, the cue, and the content, or the content's parts when it has them. Spans outside
    the text and empty contents get none."""
    out: list[tuple[int, int, Mark]] = []
    for number, v in enumerate(views, 1):
        contents = v["parts"] or ([v["content"]] if v["content"] else [])
        for role, spans in (("source", [v["source"]]), ("cue", [v["cue"]]), ("content", contents)):
            tip = _tip(number, role, v)
            for s in spans:
                if s is not None and s["ok"] and s["start"] < s["end"]:
                    out.append((s["start"], s["end"], Mark(f"att-{role}", tip, number)))
    return out


def _row(number: int, v: dict) -> dict:
    """One row of an article's "Who said what" table."""
    return {
        "n": number, "name": v["name"], "type": v["type"], "role": v["role"], "country": v["country"],
        "anonymous": v["anonymous"], "second_hand": v["second_hand"], "direct": v["direct"],
        "denial": v["denial"], "kind": v["kind"], "resolved_from": v["resolved_from"],
        "source_text": cut(v["source_text"], 80) if v["source_text"] else "",
        # the written source is worth showing when it is not just the name
        "source_differs": bool(v["source_text"])
        and (v["name"] or "").casefold() != (v["source_text"] or "").casefold(),
        "cue": cut(v["cue_text"], 60), "content": cut(v["content_text"]), "via": v["via"],
        "parts": len(v["parts"]), "id": v["id"],
    }


def _speaker_key(v: dict) -> str:
    """Attributions of one speaker share this key: the resolved name, else the written source
    (so "officials" quoted by three outlets is one entry), else no source at all."""
    if v["name"]:
        return "n:" + v["name"].casefold()
    if v["source_text"]:
        return "s:" + v["source_text"].casefold()
    return "-"


class _Counts:
    """Attributions counted for one outlet (in the page's table or within a story)."""

    __slots__ = ("articles", "with_att", "total", "direct", "anonymous", "second_hand", "denials", "speakers")

    def __init__(self) -> None:
        self.articles = 0
        self.with_att = 0
        self.total = 0
        self.direct = 0
        self.anonymous = 0
        self.second_hand = 0
        self.denials = 0
        self.speakers: Counter[str] | None = None

    def add(self, v: dict) -> None:
        self.total += 1
        self.direct += v["direct"]
        self.anonymous += v["anonymous"]
        self.second_hand += v["second_hand"]
        self.denials += v["denial"]

    def share(self, n: int) -> float | None:
        return n / self.total if self.total else None


class _Story:
    """One listed story's attributions, bounded."""

    __slots__ = ("view", "total", "listed", "groups", "unlisted_speakers", "outlets")

    def __init__(self, view: dict) -> None:
        self.view = view
        self.total = 0
        self.listed = 0
        self.groups: dict[str, dict] = {}
        self.unlisted_speakers = 0  # attributions of speakers past STORY_SPEAKER_LIMIT
        self.outlets: dict[str, _Counts] = {}

    def take(self, aid: str, title: str, outlet: str | None, views: list[dict]) -> None:
        counts = self.outlets.setdefault(outlet or "", _Counts())
        counts.articles += 1
        counts.with_att += bool(views)
        for v in views:
            counts.add(v)
            self.total += 1
            key = _speaker_key(v)
            group = self.groups.get(key)
            if group is None:
                if len(self.groups) >= STORY_SPEAKER_LIMIT:
                    self.unlisted_speakers += 1
                    continue
                group = self.groups[key] = {
                    "key": key, "name": v["name"], "written": None if v["name"] else v["source_text"],
                    "types": Counter(), "roles": Counter(), "countries": Counter(),
                    "count": 0, "anonymous": 0, "second_hand": 0, "outlets": set(), "items": [], "more": 0,
                }
            group["count"] += 1
            group["types"][v["type"]] += 1
            if v["role"]:
                group["roles"][v["role"]] += 1
            if v["country"]:
                group["countries"][v["country"]] += 1
            group["anonymous"] += v["anonymous"]
            group["second_hand"] += v["second_hand"]
            group["outlets"].add(outlet or "")
            if self.listed < STORY_ATT_LIMIT:
                self.listed += 1
                group["items"].append({
                    "aid": aid, "title": cut(title, 120), "outlet": outlet, "kind": v["kind"], "type": v["type"],
                    "cue": cut(v["cue_text"], 60), "content": cut(v["content_text"]),
                    "written": cut(v["source_text"], 80) if v["name"] and v["source_text"]
                    and v["source_text"].casefold() != v["name"].casefold() else "",
                    "direct": v["direct"], "denial": v["denial"], "anonymous": v["anonymous"],
                    "second_hand": v["second_hand"], "via": v["via"], "href": None,
                })
            else:
                group["more"] += 1

    def context(self, sections: dict[str, bool]) -> dict[str, Any]:
        groups = []
        for g in sorted(self.groups.values(), key=lambda g: (-g["count"], g["name"] is None,
                                                           (g["name"] or g["written"] or "").casefold())):
            for item in g["items"]:
                item["href"] = f"#{render.anchor_id(item['aid'])}" if sections.get(item["aid"]) else None
            groups.append({
                "name": g["name"], "written": g["written"],
                "type": g["types"].most_common(1)[0][0] if g["types"] else "unknown",
                "role": g["roles"].most_common(1)[0][0] if g["roles"] else None,
                "country": g["countries"].most_common(1)[0][0] if g["countries"] else None,
                "count": g["count"], "anonymous": g["anonymous"], "second_hand": g["second_hand"],
                "outlets": len(g["outlets"]), "entries": g["items"], "more": g["more"],
            })
        hues = {o["source"]: o["hue"] for o in self.view["outlets"]}
        outlets = [{"source": o or None, "hue": hues.get(o or None), "articles": c.articles,
                    "with_att": c.with_att, "total": c.total, "anonymous": c.anonymous,
                    "second_hand": c.second_hand, "direct": c.direct}
                   for o, c in sorted(self.outlets.items(), key=lambda oc: (-oc[1].total, oc[0] == "", oc[0]))]
        return {
            "id": self.view["id"], "label": self.view["label"], "anchor": self.view["anchor"],
            "att_anchor": story_att_anchor(self.view["id"]), "size": self.view["size"],
            "total": self.total, "listed": self.listed, "unlisted": self.total - self.listed,
            "speakers": len(self.groups), "unlisted_speakers": self.unlisted_speakers,
            "groups": groups, "outlets": outlets,
            "anonymous": sum(c.anonymous for c in self.outlets.values()),
            "second_hand": sum(c.second_hand for c in self.outlets.values()),
        }


def story_att_anchor(story_id: Any) -> str:
    """The fragment id of a story's "who said what" list (all story anchors start `story-`)."""
    return f"att-{render.story_anchor(story_id)}"


class Attributions:
    """The attributions of the articles as they stream past, for the page's section.

    `stories` are the listed story views (`_Stories.listed`); `enabled` is False when no
    attributions were given (the page then has no section). `take` is called once per article
    with its records and returns the article's normalised records and, for a detailed
    article, the marks for its text and the rows of its table.
    """

    def __init__(self, stories: Iterable[dict] = (), enabled: bool = True) -> None:
        self.enabled = enabled
        self.articles = 0
        self.with_att = 0
        self.all = _Counts()
        self.kinds: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.outlets: dict[str, _Counts] = {}
        self.stories: list[_Story] = []
        self._of: dict[str, list[_Story]] = {}
        for view in stories if enabled else ():
            story = _Story(view)
            self.stories.append(story)
            for m in view["members"]:
                of = self._of.setdefault(m["id"], [])
                if story not in of:
                    of.append(story)

    def take(self, article: dict, records: Iterable[Any] | None, *, detailed: bool
             ) -> tuple[list[dict], list[tuple[int, int, Mark]], list[dict]]:
        aid = str(article.get("id"))
        outlet = _str(article.get("source"))
        text = article.get("text")
        text = text if isinstance(text, str) else ""
        views = [v for v in (normalise(r, text, outlet) for r in (records or ())) if v is not None]
        self.articles += 1
        self.with_att += bool(views)
        counts = self.outlets.get(outlet or "")
        if counts is None:
            counts = self.outlets[outlet or ""] = _Counts()
            counts.speakers = Counter()
        counts.articles += 1
        counts.with_att += bool(views)
        for v in views:
            self.all.add(v)
            counts.add(v)
            self.kinds[v["kind"]] += 1
            self.types[v["type"]] += 1
            if v["name"] and not v["anonymous"]:
                counts.speakers[v["name"]] += 1
        if counts.speakers is not None and len(counts.speakers) >= 2 * SPEAKER_KEEP:
            counts.speakers = Counter(dict(counts.speakers.most_common(SPEAKER_KEEP)))
        title = _str(article.get("title")) or ""
        for story in self._of.get(aid, ()):
            story.take(aid, title, outlet, views)
        if not detailed:
            return views, [], []
        return views, marks(views), [_row(i, v) for i, v in enumerate(views, 1)]

    def context(self, sections: dict[str, bool]) -> dict[str, Any]:
        """The template's attribution variables; `sections` tells which articles have a section."""
        if not self.enabled:
            return {"attributions": False, "att_story_links": {}}
        c = self.all
        outlets = sorted(self.outlets.items(), key=lambda oc: (-oc[1].total, -oc[1].articles, oc[0] == "", oc[0]))
        rows = [{"source": o or None, "articles": n.articles, "with_att": n.with_att, "total": n.total,
                 "direct": n.direct, "anonymous": n.share(n.anonymous), "second_hand": n.share(n.second_hand),
                 "n_anonymous": n.anonymous, "n_second_hand": n.second_hand, "denials": n.denials,
                 "speakers": (n.speakers or Counter()).most_common(TOP_SPEAKERS)}
                for o, n in outlets[:OUTLET_LIMIT]]
        stories = [s.context(sections) for s in self.stories if s.total]
        return {
            "attributions": True,
            "att_totals": {"attributions": c.total, "direct": c.direct, "anonymous": c.anonymous,
                           "second_hand": c.second_hand, "denials": c.denials, "articles": self.articles,
                           "with_att": self.with_att},
            "att_kinds": sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0])),
            "att_types": sorted(self.types.items(), key=lambda kv: (-kv[1], kv[0])),
            "att_outlets": rows,
            "att_outlets_more": max(0, len(outlets) - OUTLET_LIMIT),
            "att_stories": stories,
            "att_stories_without": sum(1 for s in self.stories if not s.total),
            "att_story_links": {s["id"]: {"anchor": s["att_anchor"], "total": s["total"]} for s in stories},
            "att_story_limit": STORY_ATT_LIMIT,
            "att_top_speakers": TOP_SPEAKERS,
        }
