"""Page times of `newstrace serve` over a large store: 100,000 articles by default.

    python benchmarks/serve_speed.py                    # builds the store once (~6 min), then times
    python benchmarks/serve_speed.py --n 5000 --repeat 10
    python benchmarks/serve_speed.py --rebuild          # build the store again even when cached

The bar (issue 20): on a 100,000-article store, p95 page time under 300 ms on this machine for
the overview, the story list (plain, filtered by outlet, unsupported claims sorted by recency, a
deep page), a story page (random ones and the largest), an article page and a search (common, very
common, two and rare words); the JSON twins of a couple of pages, the unsupported claims and the actors are timed
too.

The store. Built through the store's own API, never raw SQL: `Store.put_article` (with sentences,
entities, numbers, attributions and events), `put_vector` and `put_membership` (stories),
`put_signals`, `put_derivation` and `put_family_decisions` (provenance), `put_claims`,
`put_skip`, `start_run`/`finish_run`, then `write_catalogue(store)` (export/catalogue.py), as the
end of `analyze` does. Records copy the structure of a real store (`newstrace analyze
examples/corpus`), not its text. Article texts are `--n` distinct news articles from
benchmarks/news_corpus.py (../shared/data: about 6,300 natural ones, the rest recombined), each
split into all its sentences at sentence ends; per article 2-6 entities (names found in its
text), its numbers, 0-5 attributions, 0-8 claims (supported / unsupported / contradicted, with
0-3 evidence sentences from other articles of its story), 0-4 CAMEO events between ~300 actor
codes (a few busy, most rare), a random unit lead vector and rewriting signals. Stories: sizes
Zipf-distributed (most single articles, up to 300) plus one of 2,000, over a year of dates;
25 outlets. About 6% of articles have judged provenance pairs and about 3% are derived from
another article of their story (copies, rewrites, partial rewrites, with siblings), grouped in
families. Everything is seeded (`SEED`). Not stored: provenance documents (MinHash and sentence
vectors, ~20 KB an article in a real store) and the claims pass's sources, which no page reads.

The store is cached under benchmarks/results/serve-store-N-vVERSION/ (rebuilt when VERSION
changes or with --rebuild; its catalogue alone is written again when the code that writes it
has changed); the build time and the store's size are printed.

Timing. The real server (uvicorn, as `newstrace serve` runs it) in a subprocess on 127.0.0.1,
over `create_app(folder)`; one request per route kind to warm it up, then `--repeat` requests of
each kind, sequentially, with httpx (varying story and article ids, outlets, search words),
each timed from sending to the last byte of the body. Prints per kind: n, median, p95 and max
milliseconds, the median response size, and whether p95 is under 300 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from bisect import bisect_right
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import news_corpus  # noqa: E402

VERSION = 1  # of the generated store: bump when the generator changes (the cache is keyed by it)
SEED = 20
BAR_MS = 300.0
RESULTS = ROOT / "benchmarks" / "results"
BIG_STORY = 2_000
MAX_STORY = 300
YEAR_START = date(2025, 3, 1)
DIM = 384

ENTITY_LABELS = ["PERSON"] * 4 + ["ORG"] * 3 + ["GPE"] * 3 + ["LOC", "NORP", "FAC", "EVENT"]
_NAME = re.compile(r"\b[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,}){0,2}\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*(%| per cent)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# (country code, name) and (sector code, name): actor codes are combinations of the two.
COUNTRIES = [("USA", "United States"), ("RUS", "Russia"), ("CHN", "China"), ("UKR", "Ukraine"),
             ("GBR", "United Kingdom"), ("FRA", "France"), ("DEU", "Germany"), ("ISR", "Israel"),
             ("IRN", "Iran"), ("TUR", "Turkey"), ("IND", "India"), ("PAK", "Pakistan"), ("SYR", "Syria"),
             ("LBN", "Lebanon"), ("EGY", "Egypt"), ("SAU", "Saudi Arabia"), ("JPN", "Japan"), ("KOR", "South Korea"),
             ("PRK", "North Korea"), ("BRA", "Brazil"), ("MEX", "Mexico"), ("NGA", "Nigeria"), ("ZAF", "South Africa"),
             ("KEN", "Kenya"), ("ETH", "Ethiopia"), ("SDN", "Sudan"), ("AFG", "Afghanistan"), ("IRQ", "Iraq"),
             ("YEM", "Yemen"), ("POL", "Poland"), ("ITA", "Italy"), ("ESP", "Spain"), ("CAN", "Canada"),
             ("AUS", "Australia"), ("IDN", "Indonesia"), ("PHL", "Philippines"), ("VEN", "Venezuela"),
             ("COL", "Colombia"), ("ARG", "Argentina"), ("QAT", "Qatar")]
SECTORS = [("", ""), ("GOV", "government"), ("MIL", "military"), ("REB", "rebels"), ("BUS", "business"),
           ("MED", "media"), ("CVL", "civilians"), ("OPP", "opposition"), ("JUD", "judiciary"), ("POL", "police"),
           ("LEG", "parliament"), ("EDU", "universities")]
ORGS = [("IGOUNO", "United Nations"), ("IGOEUR", "European Union"), ("IGONAT", "NATO"), ("IGOWHO", "WHO"),
        ("IGOIMF", "IMF"), ("LBNREBHEZ", "Hezbollah"), ("NGOAMN", "Amnesty International"), ("GOV", "authorities"),
        ("MIL", "troops"), ("COP", "police"), ("MED", "reporters"), ("CVL", "residents")]
# (code, name, PLOVER, Goldstein)
CAMEO = [("010", "Make statement", None, 0.0), ("020", "Make an appeal or request", None, 3.0),
         ("030", "Express intent to cooperate", "AGREE", 4.0), ("036", "Express intent to meet or negotiate",
                                                                "CONSULT", 4.0),
         ("040", "Consult", "CONSULT", 1.0), ("042", "Make a visit", "CONSULT", 1.9), ("043", "Host a visit",
                                                                                     "CONSULT", 2.8),
         ("051", "Praise or endorse", "SUPPORT", 3.4), ("057", "Sign formal agreement", "AGREE", 8.0),
         ("060", "Engage in material cooperation", "COOPERATE", 6.0), ("070", "Provide aid", "AID", 7.0),
         ("111", "Criticize or denounce", "DISAPPROVE", -2.0), ("112", "Accuse", "ACCUSE", -2.0),
         ("130", "Threaten", "THREATEN", -4.4), ("141", "Demonstrate or rally", "PROTEST", -6.5),
         ("163", "Impose embargo, boycott, or sanctions", "SANCTION", -8.0), ("173", "Arrest, detain",
                                                                              "COERCE", -5.0),
         ("190", "Use conventional military force", "ASSAULT", -10.0), ("193", "Fight with small arms and light "
                                                                              "weapons", "ASSAULT", -10.0),
         ("1823", "Kill by physical assault", "ASSAULT", -10.0)]
QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
CUE_KINDS = ["speech"] * 6 + ["according"] * 2 + ["denial", "urging"]
SOURCE_KINDS = ["person", "person", "person", "organisation", "government", "anonymous", "outlet"]
RELATIONS = ["copy", "rewrite", "partial_rewrite", "light_edit"]
FEATURE_KEYS = ["mean_max_cos", "coverage_derived", "coverage_source", "order", "log_length_ratio", "strong_share",
                "structure", "details_kept", "details_covered", "aligned_cos", "kept_x_coverage", "kept_x_structure"]


def _quad(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def actor_table() -> list[dict]:
    """~300 actor codes as the event coder writes them: countries, their sectors, organisations."""
    rng = random.Random(SEED + 1)
    combos = [(c, cn, s, sn) for c, cn in COUNTRIES for s, sn in SECTORS]
    rng.shuffle(combos)
    out = [{"code": c + s, "country": c, "sector": s or None, "group": None,
            "name": f"{cn} {sn}".strip() if s else cn} for c, cn, s, sn in combos[:288]]
    out += [{"code": code, "country": None, "sector": code[:3] if len(code) > 3 else code, "group": code[6:] or None,
             "name": name} for code, name in ORGS]
    return out


# -- the generated store -----------------------------------------------------------------------------

def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences at sentence ends (. ! ? then white space), as (start, end) in `text`, trimmed."""
    spans, pos = [], 0
    for m in list(_SENTENCE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s, e = pos, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        if m:
            pos = m.end()
    return spans


def _story_sizes(n: int, rng: np.random.Generator) -> list[int]:
    big = min(BIG_STORY, max(1, n // 20))
    sizes, total = [big], big
    while total < n:
        size = min(int(rng.zipf(1.9)), MAX_STORY, n - total)
        sizes.append(size)
        total += size
    return sizes


def _day(d: int) -> str:
    return (YEAR_START + timedelta(days=d)).isoformat()


class Generator:
    """Every record of the store, article by article, from news_corpus texts and a seed."""

    def __init__(self, n: int) -> None:
        self.rng = random.Random(SEED)
        self.np = np.random.default_rng(SEED)
        arts = news_corpus.build(n, seed=17)
        self.rng.shuffle(arts)
        sizes = _story_sizes(n, self.np)
        self.actors = actor_table()
        ranks = np.arange(1, len(self.actors) + 1)
        self.actor_p = (1 / ranks ** 1.1) / (1 / ranks ** 1.1).sum()
        # stories: a day in the year (the big one runs for two months), members a few days after it
        members: list[tuple[str, float, dict]] = []  # (story key, time, article)
        k = 0
        for s, size in enumerate(sizes):
            start = self.rng.uniform(0, 300 if size == BIG_STORY else 364)
            spread = 60.0 if s == 0 else 4.0
            for _ in range(size):
                members.append((f"g{s}", min(364.9, start + self.rng.expovariate(1 / spread) * (0.3 if s else 1)),
                                arts[k]))
                k += 1
        members.sort(key=lambda m: m[1])  # the stream: in order of publication
        self.stream: list[dict] = []
        story_ids: dict[str, str] = {}
        self.story_members: dict[str, list[int]] = {}
        for i, (key, t, a) in enumerate(members):
            sid = story_ids.setdefault(key, f"story-{len(story_ids) + 1}")
            day = int(t)
            when = _day(day)
            if self.rng.random() < 0.6:  # most with a time of day, as feeds give them
                when += f"T{int((t - day) * 24):02d}:{self.rng.randrange(60):02d}:00Z"
            self.stream.append({**a, "published": when, "story_id": sid, "day": day})
            self.story_members.setdefault(sid, []).append(i)
        self.spans = [_sentence_spans(a["text"]) for a in self.stream]
        self.claim_total = 0

    # -- one article -------------------------------------------------------------------------------
    def article(self, i: int):
        from newstrace.records import Artefact, Article, Entity, Number, Sentence, Span

        a = self.stream[i]
        rng = self.rng
        text, aid = a["text"], a["id"]
        art = Article(id=aid, text=text, title=a["title"], source=a["source"], url=a["url"], published=a["published"],
                      author=rng.choice([None, None, "Staff reporter", f"{rng.choice(['A.', 'J.', 'M.'])} Writer"]),
                      language="en", input_path=f"/data/feeds/part-{i % 50:02d}.jsonl", input_ref=f"line {i // 50 + 1}",
                      input_format="jsonl", encoding="utf-8")
        if a["title"] and text.startswith(a["title"]):
            art.title_span = Span(0, len(a["title"]))
        spans = self.spans[i]
        starts = [s for s, _ in spans]
        if rng.random() < 0.04 and len(spans) > 2:
            s, e = spans[-1]
            art.artefacts.append(Artefact(rng.choice(["wire_credit", "boilerplate", "dangling_embed"]), s, e,
                                          text[s:e][:80]))
        sentences = []
        for k, (s, e) in enumerate(spans):
            kind = next((x.kind for x in art.artefacts if x.start <= s < x.end), None)
            sentences.append(Sentence(f"{aid}:s{k}", aid, s, e, text[s:e], artefact=kind))
        names = [m for m in _NAME.finditer(text)]
        for m in rng.sample(names, min(len(names), rng.randint(2, 6))):
            k = bisect_right(starts, m.start()) - 1
            if k >= 0 and m.end() <= spans[k][1]:
                sentences[k].entities.append(Entity(m.start(), m.end(), m.group(), rng.choice(ENTITY_LABELS)))
        for k, (s, e) in enumerate(spans):
            sentences[k].entities.sort(key=lambda x: x.start)
            for m in list(_NUMBER.finditer(text, s, e))[:3]:
                raw = m.group().split("%")[0].replace(" per cent", "").replace(",", "")
                try:
                    value = float(raw)
                except ValueError:
                    continue
                pct = m.group(1) is not None
                sentences[k].numbers.append(Number(m.start(), m.end(), m.group(), value, "percent" if pct else None,
                                                   "percent" if pct else "cardinal"))
        art.sentences = sentences
        art.attributions = self._attributions(i, sentences)
        art.events = self._events(i, sentences)
        return art

    def _words(self, text: str, s: int, e: int) -> list[re.Match]:
        return list(_WORD.finditer(text, s, e))

    def _attributions(self, i: int, sentences: list) -> list[dict]:
        rng, a = self.rng, self.stream[i]
        text, aid = a["text"], a["id"]
        out = []
        usable = [s for s in sentences if s.artefact is None and len(self._words(text, s.start, s.end)) >= 6]
        for s in sorted(rng.sample(usable, min(len(usable), rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5]))),
                        key=lambda x: x.start):
            w = self._words(text, s.start, s.end)
            src, cue = w[0], w[1]
            cue_kind = rng.choice(CUE_KINDS)
            kind = rng.choice(SOURCE_KINDS)
            name = next((e.text for e in s.entities), src.group())
            via = ([{"name": "Reuters", "type": "outlet", "start": w[-1].start(), "end": w[-1].end(),
                     "text": w[-1].group()}] if rng.random() < 0.1 else [])
            out.append({"id": f"{aid}:a{len(out)}", "article_id": aid, "sentence_id": s.id, "cue_kind": cue_kind,
                        "direct": rng.random() < 0.4, "denial": cue_kind == "denial",
                        "cue": {"start": cue.start(), "end": cue.end(), "text": cue.group()},
                        "source": {"start": src.start(), "end": src.end(), "text": src.group(), "kind": kind,
                                   "name": None if kind == "anonymous" else name,
                                   "role": rng.choice([None, None, "spokesperson", "minister", "chief executive"]),
                                   "country": rng.choice([None, None, "GBR", "USA"]), "anonymous": kind == "anonymous",
                                   "resolved_from": rng.choice(["text", "text", "pronoun", "title"])},
                        "content": {"start": w[2].start(), "end": s.end, "text": text[w[2].start():s.end]},
                        "content_parts": [], "via": via, "second_hand": bool(via)})
        return out

    def _side(self, text: str, w: re.Match) -> dict:
        actor = self.actors[int(self.np.choice(len(self.actors), p=self.actor_p))]
        return {**actor, "text": w.group(), "start": w.start(), "end": w.end(),
                "resolved_from": self.rng.choice(["country", "sector", "dictionary", "pronoun", "city"])}

    def _events(self, i: int, sentences: list) -> list[dict]:
        rng, a = self.rng, self.stream[i]
        text, aid = a["text"], a["id"]
        usable = [s for s in sentences if s.artefact is None and len(self._words(text, s.start, s.end)) >= 5]
        count = rng.choices([0, 1, 2, 3, 4], weights=[35, 25, 20, 12, 8])[0]
        out = []
        for s in sorted(rng.sample(usable, min(len(usable), count)), key=lambda x: x.start):
            w = self._words(text, s.start, s.end)
            code, name, plover, goldstein = rng.choice(CAMEO)
            src = self._side(text, w[0])
            tgt = self._side(text, w[-1]) if rng.random() < 0.7 else None
            if tgt is not None and tgt["code"] == src["code"]:
                tgt = None
            quad = _quad(code)
            model = rng.random() < 0.3
            out.append({"id": f"{aid}:e{len(out)}", "article_id": aid, "sentence_id": s.id, "start": s.start,
                        "end": s.end, "text": s.text,
                        "trigger": {"start": w[2].start(), "end": w[2].end(), "text": w[2].group()},
                        "source": src, "target": tgt, "code": code, "base_code": code[:3], "root_code": code[:2],
                        "name": name, "plover": plover, "goldstein": goldstein, "quad_class": quad,
                        "quad_name": QUADS[quad], "negated": rng.random() < 0.05,
                        "mode": rng.choices(["asserted", "hypothetical", "intended"], weights=[85, 10, 5])[0],
                        "frame": None, "attribution": None,
                        "date": _day(max(0, a["day"] - rng.choice([0, 0, 0, 1, 2]))),
                        "date_source": rng.choice(["article", "text"]), "is_root": False, "depth": 1,
                        "coded_by": "model" if model else "rules",
                        "confidence": round(rng.uniform(0.5, 0.99), 3) if model else None})
        return out

    # -- claims ------------------------------------------------------------------------------------
    def claims(self, i: int, sentences: list, attributions: list[dict]) -> list[dict]:
        rng, a = self.rng, self.stream[i]
        aid = a["id"]
        others = [j for j in self.story_members[a["story_id"]] if j != i]
        usable = [s for s in sentences if s.artefact is None and s.end - s.start >= 40]
        by_sentence = {r["sentence_id"]: r for r in attributions}
        out = []
        for s in sorted(rng.sample(usable, min(len(usable), rng.randint(0, 8))), key=lambda x: x.start):
            evidence = []
            for j in rng.sample(others, min(len(others), rng.randint(0, 3))):
                es, ee = rng.choice(self.spans[j])
                o = self.stream[j]
                evidence.append({"article_id": o["id"], "outlet": o["source"], "start": es, "end": ee,
                                 "text": o["text"][es:ee], "similarity": round(rng.uniform(0.4, 0.95), 4),
                                 "score": round(rng.uniform(0.1, 0.9), 4),
                                 "stance": rng.choice(["supports", "neither", "neither", "contradicts"])})
            if not evidence:
                status = "unsupported"
            else:
                status = rng.choices(["supported", "unsupported", "contradicted"], weights=[55, 33, 12])[0]
            att = by_sentence.get(s.id)
            reasons = ([f"no support in the {len(others) + 1} articles of its story and provenance candidates"]
                       if status == "unsupported" else [])
            reasons.append(f"closest sentence elsewhere: similarity {rng.uniform(0.3, 0.9):.2f}")
            out.append({"id": f"{aid}:c{len(out)}", "article_id": aid, "sentence_id": s.id, "start": s.start,
                        "end": s.end, "text": s.text, "status": status, "score": round(rng.uniform(0.05, 0.95), 4),
                        "checkworthiness": round(rng.uniform(0.5, 1.0), 2), "evidence": evidence, "reasons": reasons,
                        "checked_against": len(others), "entities": [e.to_json() for e in s.entities],
                        "numbers": [n.to_json() for n in s.numbers],
                        "attribution": None if att is None else {
                            "id": att["id"], "cue": att["cue"]["text"], "cue_kind": att["cue_kind"],
                            "source": att["source"]["name"], "source_kind": att["source"]["kind"], "via": att["via"],
                            "denial": att["denial"]},
                        "denial": None, "denied_in_article": None})
        return out

    def signals(self, i: int, n_sentences: int) -> dict:
        rng = self.rng
        sig = []
        if rng.random() < 0.03:
            sig.append({"kind": "repeated_headline", "evidence": "its headline is repeated in its body"})
        return {"article_id": self.stream[i]["id"], "style": round(rng.gauss(-2.0, 1.2), 4),
                "quotes": rng.randint(0, 14), "cues": round(rng.random(), 4), "sentences": n_sentences, "signals": sig}

    # -- provenance --------------------------------------------------------------------------------
    def _passages(self, d: int, s: int) -> list[dict]:
        out = []
        for _ in range(self.rng.randint(1, 3)):
            ds, de = self.rng.choice(self.spans[d])
            ss, se = self.rng.choice(self.spans[s])
            out.append({"derived_start": ds, "derived_end": de, "source_start": ss, "source_end": se,
                        "kind": self.rng.choice(["verbatim", "near_verbatim", "paraphrase"]),
                        "similarity": round(self.rng.uniform(0.55, 1.0), 4)})
        return out

    def _features(self) -> dict:
        return {k: round(self.rng.random(), 4) for k in FEATURE_KEYS}

    def provenance(self):
        """(judged pair rows, family groups): each group is (links, article records, families) as
        `put_family_decisions` takes them."""
        rng = self.rng
        rows, groups = [], []
        for sid, idx in self.story_members.items():
            if len(idx) < 2:
                continue
            judged = [k for k in idx[1:] if rng.random() < 0.07]
            if not judged:
                continue
            links: list[tuple[str, str, str, dict]] = []
            records: dict[str, dict] = {}
            derived_from: dict[str, list[str]] = {}
            for k in judged:
                d = self.stream[k]["id"]
                earlier = [j for j in idx if j < k]
                cands = rng.sample(earlier, min(len(earlier), rng.randint(1, 3)))
                cand_recs = []
                for n, j in enumerate(cands):
                    s = self.stream[j]["id"]
                    is_derived = n == 0 and rng.random() < 0.5
                    score = round(rng.uniform(0.6, 1.0) if is_derived else rng.uniform(0.0, 0.3), 4)
                    passages = self._passages(k, j)
                    rows.append({"derived_id": d, "source_id": s, "score": score,
                                 "reverse_score": round(rng.uniform(0.0, 0.3), 4), "derived": is_derived,
                                 "direction": rng.choice(["dates", "content", "citation"]),
                                 "confidence": round(rng.uniform(0.6, 1.0), 4),
                                 "evidence": [f"{s} is dated earlier than {d}"], "features": self._features(),
                                 "coverage_derived": round(rng.random(), 4), "coverage_source": round(rng.random(), 4),
                                 "passages": passages, "found_by": rng.choice(["copy", "meaning"]),
                                 "extra": {"probability": score, "copied": round(rng.random(), 4),
                                           "aligned": sorted(rng.sample(range(len(self.spans[k])),
                                                                        min(3, len(self.spans[k])))),
                                           "reverse_features": self._features(), "reverse_copied": 0.0,
                                           "reverse_aligned": [], "verbatim_sentences": [],
                                           "reverse_verbatim_sentences": [], "reverse_passages": passages}})
                    cand_recs.append({"id": s, "score": score, "derived": score if is_derived else 0.0})
                    if is_derived:
                        derived_from.setdefault(s, []).append(d)
                        links.append((d, s, "derived", {
                            "relation": rng.choice(RELATIONS), "score": score, "rank": 1,
                            "decided_by": rng.choice(["dates", "content", "undetermined"]),
                            "evidence": [f"{d} follows {s}'s order of facts"],
                            "coverage_derived": round(rng.random(), 4), "coverage_source": round(rng.random(), 4),
                            "family_id": None}))
                records[d] = {"family_id": None, "role": None, "sources": [], "candidates": cand_recs,
                              "added": [], "signals": []}
            families = []
            for s, ds in derived_from.items():
                fid = f"family-{s}"
                families.append({"id": fid, "roots": [s], "article_ids": [s, *ds]})
                records.setdefault(s, {"family_id": None, "role": None, "sources": [], "candidates": [],
                                       "added": [], "signals": []})
                records[s].update(family_id=fid, role="original")
                for d in ds:
                    records[d].update(family_id=fid, role="derived",
                                      sources=[{"id": s, "relation": "rewrite", "score": 0.9, "order": 1.0}])
                if len(ds) >= 2:
                    links.append((ds[1], ds[0], "sibling", {"relation": "shared_source", "common_sources": [s],
                                                            "family_id": fid}))
            for _, s, kind, rec in links:
                if kind == "derived":
                    rec["family_id"] = f"family-{s}"
            groups.append((links, sorted(records.items()), families))
        return rows, groups


def build_store(folder: Path, n: int) -> dict:
    """Write the store into `folder` through the Store's API and the catalogue writer; returns timings."""
    from newstrace.export.catalogue import write_catalogue
    from newstrace.records import Skipped
    from newstrace.store import Store

    t0 = time.perf_counter()
    gen = Generator(n)
    t_gen = time.perf_counter() - t0
    print(f"  {n:,} articles generated ({t_gen:.0f} s); writing the store", file=sys.stderr, flush=True)
    store = Store(folder / "newstrace.db")
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    store.start_run(["/data/feeds"], now)
    for k in range(20):
        store.put_skip(Skipped(f"/data/feeds/broken-{k}.html", "no text could be extracted", stage="read"))
    vec_rng = np.random.default_rng(SEED + 2)
    seen_story: set[str] = set()
    atts: list[list[dict]] = []
    n_sent = []
    t1 = time.perf_counter()
    for i in range(n):
        art = gen.article(i)
        store.put_article(art)
        v = vec_rng.standard_normal(DIM).astype(np.float32)
        store.put_vector(art.id, (v / np.linalg.norm(v)).tobytes())
        sid = gen.stream[i]["story_id"]
        store.put_membership(art.id, sid, round(gen.rng.uniform(0.5, 1.0), 4) if sid in seen_story else 1.0, i + 1,
                             sid not in seen_story)
        seen_story.add(sid)
        store.put_signals(art.id, gen.signals(i, len(art.sentences)))
        atts.append([{"id": r["id"], "sentence_id": r["sentence_id"], "cue": r["cue"], "cue_kind": r["cue_kind"],
                      "source": r["source"], "via": r["via"], "denial": r["denial"]} for r in art.attributions])
        n_sent.append(art.sentences)
        if (i + 1) % 20_000 == 0:
            print(f"  {i + 1:,} articles stored ({time.perf_counter() - t1:.0f} s)", file=sys.stderr, flush=True)
    store.commit()
    t_articles = time.perf_counter() - t1
    t2 = time.perf_counter()
    rows, groups = gen.provenance()
    for row in rows:
        store.put_derivation(row)
    for links, records, families in groups:
        store.put_family_decisions(links, records, families)
    store.commit()
    claims = 0
    for i in range(n):
        recs = gen.claims(i, n_sent[i], atts[i])
        claims += len(recs)
        store.put_claims(gen.stream[i]["id"], recs, f"sig-{VERSION}")
    store.commit()
    t_passes = time.perf_counter() - t2
    store.finish_run("ok", datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                     {"seconds": round(time.perf_counter() - t0, 1), "articles": n, "skipped": 20, "stages": [],
                      "skips": []})
    store.commit()
    print(f"  articles stored ({t_articles:.0f} s), provenance and claims ({t_passes:.0f} s); writing the catalogue",
          file=sys.stderr, flush=True)
    t3 = time.perf_counter()
    write_catalogue(store)
    t_cat = time.perf_counter() - t3
    store.close()
    return {"n": n, "version": VERSION, "seconds": round(time.perf_counter() - t0, 1),
            "generate": round(t_gen, 1), "articles": round(t_articles, 1), "passes": round(t_passes, 1),
            "catalogue": round(t_cat, 1), "claims": claims, "pairs": len(rows),
            "derived": sum(1 for links, _, _ in groups for x in links if x[2] == "derived"),
            "stories": len(gen.story_members)}


def catalogue_code() -> str:
    """A hash of the code that writes the catalogue (the store's tables and the records it is made
    from): when it changes, a cached store gets its catalogue written again."""
    src = ROOT / "src" / "newstrace"
    files = sorted([*(src / "export").glob("*.py"), *(src / "store").glob("*.py"), src / "stories" / "records.py",
                    src / "provenance" / "records.py", src / "report" / "events.py"])
    h = hashlib.sha1()
    for f in files:
        if f.exists():
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def rewrite_catalogue(folder: Path) -> float:
    from newstrace.export.catalogue import write_catalogue
    from newstrace.store import Store

    t = time.perf_counter()
    store = Store(folder / "newstrace.db")
    try:
        write_catalogue(store)
    finally:
        store.close()
    return time.perf_counter() - t


def ensure_store(n: int, rebuild: bool) -> tuple[Path, dict, str]:
    """The store's folder, what its build recorded, and what was done: "built", "catalogue" (the
    catalogue written again: its code changed since) or "cached"."""
    folder = RESULTS / f"serve-store-{n}-v{VERSION}"
    done = folder / "built.json"
    code = catalogue_code()
    if done.exists() and not rebuild:
        info = json.loads(done.read_text())
        if info.get("catalogue_code") == code:
            return folder, info, "cached"
        info["catalogue"] = round(rewrite_catalogue(folder), 1)
        info["catalogue_code"] = code
        done.write_text(json.dumps(info, indent=1))
        return folder, info, "catalogue"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    info = build_store(folder, n)
    info["catalogue_code"] = code
    done.write_text(json.dumps(info, indent=1))
    return folder, info, "built"


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("newstrace.db*")) / 1e6


# -- timing ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int) -> subprocess.Popen:
    code = ("import sys, uvicorn; from newstrace.serve import create_app; "
            "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", code, str(folder), str(port)], env=env)


def wait_ready(client, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    import httpx

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            client.get("/favicon.ico")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within a minute")


def route_kinds(folder: Path, repeat: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """(kind, the URLs to request) per route kind, ids drawn from the store (through its reader)."""
    from newstrace.store import Store

    store = Store.reader(folder / "newstrace.db")
    try:
        total, _ = store.story_page(limit=1)
        story_ids = [r["id"] for r in store.story_page(sort="created", limit=200_000)[1]]
        largest = store.story_page(sort="size", limit=1)[1][0]
        big = [r["id"] for r in store.story_page(sort="size", limit=100)[1]]
        article_ids = store.all_article_ids()
        outlets = [o["outlet"] for o in store.top_outlets(25)]
        entities = [e["text"] for e in (store.story_entry(largest["id"]) or {})["record"].get("top_entities") or ()]
        busiest = [a["actor"] for a in store.actor_page(10, 0)[1]]
        texts = [store.article_row(a)["text"] for a in rng.sample(article_ids, 200)]
    finally:
        store.close()
    # rare words: long capitalised names from random articles (their match counts are printed)
    rare = [w for t in texts for w in re.findall(r"\b[A-Z][a-z]{8,}\b", t)]
    rare = sorted(set(rare))
    rng.shuffle(rare)
    common = ["said", "government", "police", "people", "year", "president", "first", "time", "new", "told"]
    stop = ["the", "and", "of", "to", "in", "a"]
    phrases = ["prime minister", "police said", "united states", "last year", "told reporters", "human rights"]
    deep_lo = min(90_000, max(0, total - 500))
    deep_hi = max(deep_lo, total - 1)

    def pick(seq: list) -> list:
        return [rng.choice(seq) for _ in range(repeat)]

    def q(path: str, **params: object) -> str:
        return path + "?" + urlencode(params)

    return [
        ("overview /", ["/"] * repeat),
        ("stories /stories", ["/stories"] * repeat),
        ("stories ?outlet=", [q("/stories", outlet=o) for o in pick(outlets)]),
        ("stories ?unsupported=yes&sort=recent", [q("/stories", unsupported="yes", sort="recent")] * repeat),
        (f"stories ?offset={deep_lo:,}+", [q("/stories", offset=rng.randint(deep_lo, deep_hi)) for _ in range(repeat)]),
        ("stories ?entity=", [q("/stories", entity=e) for e in pick(entities or ["Police"])]),
        ("stories.json", ["/stories.json"] * repeat),
        ("story (random)", [f"/stories/{quote(s, safe='')}" for s in pick(story_ids)]),
        ("story (100 largest)", [f"/stories/{quote(s, safe='')}" for s in pick(big)]),
        (f"story (largest, {largest['size']:,})", [f"/stories/{quote(largest['id'], safe='')}"] * repeat),
        ("article", [f"/articles/{quote(a, safe='')}" for a in pick(article_ids)]),
        ("article .json", [f"/articles/{quote(a, safe='')}.json" for a in pick(article_ids)]),
        ("search common word", [q("/search", q=w) for w in pick(common)]),
        ("search very common word (the, of...)", [q("/search", q=w) for w in pick(stop)]),
        ("search two words", [q("/search", q=w) for w in pick(phrases)]),
        ("search rare word", [q("/search", q=w) for w in (rare * repeat)[:repeat]]),
        ("claims ?status=unsupported", [q("/claims", status="unsupported")] * repeat),
        ("claims ?status=unsupported&sort=worth", [q("/claims", status="unsupported", sort="worth")] * repeat),
        ("outlets", ["/outlets"] * repeat),
        ("families", ["/families"] * repeat),
        ("actors", ["/actors"] * repeat),
        ("actor (10 busiest)", [f"/actors/{quote(a, safe='')}" for a in pick(busiest)]),
    ]


def time_routes(folder: Path, repeat: int, seed: int) -> list[dict]:
    import httpx

    rng = random.Random(seed)
    kinds = route_kinds(folder, repeat, rng)
    port = free_port()
    proc = start_server(folder, port)
    out = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120.0) as client:
            wait_ready(client, proc)
            for _, urls in kinds:  # warm-up: one request per route kind
                client.get(urls[0])
            for kind, urls in kinds:
                times, sizes, errors, matches = [], [], [], []
                for url in urls:
                    t = time.perf_counter()
                    r = client.get(url)
                    body = r.content
                    times.append((time.perf_counter() - t) * 1000)
                    sizes.append(len(body))
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {url}")
                    if kind.startswith("search"):
                        j = client.get(url.replace("/search?", "/search.json?")).json()
                        matches.append(j["articles_page"]["total"])
                times.sort()
                p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
                row = {"kind": kind, "n": len(times), "median": statistics.median(times), "p95": p95,
                       "max": times[-1], "kb": statistics.median(sizes) / 1024, "errors": errors,
                       "matches": statistics.median(matches) if matches else None}
                out.append(row)
                print(_row(row), flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


HEADER = f"{'route kind':<40} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'KB':>7}  p95<300"


def _row(r: dict) -> str:
    extra = f"  ({r['matches']:,.0f} articles match)" if r["matches"] is not None else ""
    bad = f"  ERRORS: {r['errors'][:2]}" if r["errors"] else ""
    return (f"{r['kind']:<40} {r['n']:>4} {r['median']:>10.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {r['kb']:>7.1f}  "
            f"{'yes' if r['p95'] < BAR_MS else 'NO'}{extra}{bad}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles in the store (default 100,000)")
    ap.add_argument("--repeat", type=int, default=30, help="requests per route kind (default 30)")
    ap.add_argument("--rebuild", action="store_true", help="build the store again even when cached")
    ap.add_argument("--seed", type=int, default=7, help="seed of the ids and words requested")
    args = ap.parse_args()
    if not news_corpus.available():
        print(f"needs {news_corpus.SHARED} (the shared development data); skipped", file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}", flush=True)
    t = time.perf_counter()
    folder, info, done = ensure_store(args.n, args.rebuild)
    if done == "built":
        print(f"store built in {time.perf_counter() - t:.0f} s (texts {info['generate']} s, articles "
              f"{info['articles']} s, provenance and claims {info['passes']} s, catalogue {info['catalogue']} s)")
    elif done == "catalogue":
        print(f"store cached (built in {info['seconds']:.0f} s); its catalogue written again, the code that writes "
              f"it having changed: {info['catalogue']} s")
    else:
        print(f"store cached (built in {info['seconds']:.0f} s; --rebuild to build it again)")
    print(f"store: {folder} {folder_mb(folder):,.0f} MB; {info['n']:,} articles, {info['stories']:,} stories, "
          f"{info['claims']:,} claims, {info['pairs']:,} judged pairs, {info['derived']:,} derived", flush=True)
    print(HEADER, flush=True)
    rows = time_routes(folder, args.repeat, args.seed)
    slow = [r["kind"] for r in rows if r["p95"] >= BAR_MS]
    print(f"p95 under {BAR_MS:.0f} ms: {len(rows) - len(slow)} of {len(rows)} route kinds"
          + (f"; over: {', '.join(slow)}" if slow else ""))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
