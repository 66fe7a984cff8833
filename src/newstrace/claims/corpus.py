"""Each article's claims checked against the other articles of the corpus (issue 6).

For an article A:

1. **claims**: `extract.extract_claims` over A's stored sentences and attributions;
2. **candidates**: the articles provenance judged against A (derivation candidates, best
   first), then the other members of A's story, nearest first by document vector; at most
   `CANDIDATES`;
3. **evidence**: every candidate's sentences (artefacts left out) in one BM25 index (bm25s)
   and one matrix of MiniLM vectors (stored by provenance; embedded here when missing), so
   each claim ranks every candidate sentence at once by cosine plus scaled BM25; the
   `JUDGED` candidates whose best sentence ranks highest are judged in full
   (`support.judge`: the support model over similarity, entailment, word, name and number
   recall, negation);
4. **status**: `supported` when one judged article supports it; `contradicted` when an
   article denies it (its evidence sentence is denied in that article, "X denied the
   reports", or a denial there says the same as the claim), or, with no support, when the
   closest sentence says nearly the same with the other negation, an opposite word or another figure;
   `unsupported` otherwise, with the names, figures and cited sources no other article has.

Which articles a check used is kept as a signature (their ids and content hashes): a later
run re-checks an article only when its candidates changed (a new article joined its story),
and an interrupted pass resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import numpy as np

from newstrace.language.embed import per_model
from newstrace.claims.extract import Claim
from newstrace.claims.source import Source, build_source, load_source, source_version, who_denied
from newstrace.provenance.align import Seed, seeds, units
from newstrace.claims.support import (NAME_LABELS, Text, bm25_query, judge, model,
                                      name_found, number_found, tokens)
from newstrace.store import Store

log = logging.getLogger(__name__)

CANDIDATES = 24  # other articles a claim may be checked against
JUDGED = 4  # of those, how many are judged in full for each claim
EVIDENCE = 4  # evidence entries kept per claim (the best sentence of each judged article)
MEMBERS_RANKED = 300  # larger stories: members nearest in arrival instead of by vector
# a claim this close to what an article's denial denies is contradicted by it (per sentence model)
DENIAL_COSINE = {"minilm": 0.6, "static": 0.62}
SOURCE_CACHE = 256
DOC_VECTOR_CACHE = 20_000  # 1.5 KB each: story-mates' vectors, read once while their story is checked
CHECK_VERSION = "claims-2"
TIE_DECIMALS = 5  # candidates whose best sentences rank this close are taken in candidate order


def _fmt_number(n: dict[str, Any]) -> str:
    return str(n.get("text") or n.get("value"))


class Checker:
    """Checks articles' claims against their candidates, reading everything from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sources: OrderedDict[str, Source | None] = OrderedDict()
        self.hashes: dict[str, str] = {}
        self.doc_vectors: OrderedDict[str, np.ndarray | None] = OrderedDict()  # LRU, DOC_VECTOR_CACHE
        self.model = model()

    # -- candidates and signatures -----------------------------------------------------------
    def load_hashes(self) -> None:
        self.hashes = self.store.content_hashes()

    def candidates(self, article_id: str) -> list[str]:
        """Derivation candidates first (best first), then story members nearest first."""
        out: list[str] = []
        seen = {article_id}
        for other, _score, _derived in self.store.derivation_partners(article_id):
            if other not in seen:
                seen.add(other)
                out.append(other)
        story = self.store.story_of(article_id)
        if story is not None and len(out) < CANDIDATES:
            members = [m for m in self.store.story_members(story) if m not in seen]
            out += self._nearest(article_id, members)[: CANDIDATES - len(out)]
        return out[:CANDIDATES]

    def _nearest(self, article_id: str, members: list[str]) -> list[str]:
        if len(members) > MEMBERS_RANKED:  # by closeness in arrival (the list is in arrival order)
            return members[-MEMBERS_RANKED:][::-1]
        v = self._document_vector(article_id)
        if v is None:
            return members
        scored = []
        for m in members:
            other = self._document_vector(m)
            scored.append((float(other @ v) if other is not None else -1.0, m))
        return [m for _, m in sorted(scored, key=lambda x: -x[0])]

    def _document_vector(self, article_id: str) -> np.ndarray | None:
        """An article's document vector, read from the store once (every story-mate ranks it)."""
        if article_id in self.doc_vectors:
            self.doc_vectors.move_to_end(article_id)
            return self.doc_vectors[article_id]
        blob = self.store.document_vector(article_id)
        v = np.frombuffer(blob, dtype=np.float16).astype(np.float32) if blob else None
        self.doc_vectors[article_id] = v
        if len(self.doc_vectors) > DOC_VECTOR_CACHE:
            self.doc_vectors.popitem(last=False)
        return v

    def signature(self, article_id: str, candidates: Iterable[str]) -> str:
        h = hashlib.sha1(CHECK_VERSION.encode())
        h.update(f"{self.model.threshold}|{article_id}|{self.hashes.get(article_id)}".encode())
        for c in sorted(candidates):
            h.update(f"|{c}:{self.hashes.get(c)}".encode())
        return h.hexdigest()[:20]

    # -- sources -----------------------------------------------------------------------------
    def source(self, article_id: str) -> Source | None:
        if article_id in self.sources:
            self.sources.move_to_end(article_id)
            return self.sources[article_id]
        src = self._load(article_id)
        self.sources[article_id] = src
        if len(self.sources) > SOURCE_CACHE:
            self.sources.popitem(last=False)
        return src

    def _load(self, article_id: str) -> Source | None:
        blob = self.store.claim_source(article_id, source_version())
        if blob is not None:
            try:
                return load_source(blob)
            except Exception as exc:  # noqa: BLE001 - a damaged stored Source is built again
                log.warning("stored claims source of %s unreadable (%s: %s); built again",
                            article_id, type(exc).__name__, exc)
        return self.build(article_id)

    def build(self, article_id: str) -> Source | None:
        """An article's Source built from what the store holds (None when it is not English)."""
        row = self.store.article_header(article_id)
        if row is None or row[1] not in (None, "en"):
            return None  # gone, or not English: the support model reads English
        text, _lang, outlet, published = row
        return build_source(article_id, text, outlet, published, self.store.sentences_for(article_id),
                            self.store.attributions_for(article_id), self.store.sentence_vectors(article_id))

    # -- checking    # -- checking ----------------------------------------------------------------------------
    def check(self, article_id: str, candidates: list[str]) -> list[dict[str, Any]]:
        """The claims.jsonl records of one article, checked against `candidates`."""
        me = self.source(article_id)
        if me is None:
            return []
        return check_source(me, [s for s in (self.source(c) for c in candidates) if s is not None])


def check_source(me: Source, others: list[Source]) -> list[dict[str, Any]]:
    """The claims.jsonl records of `me`'s claims, checked against the `others`."""
    if not me.claims:
        return []
    threshold = model().threshold
    cands = [s for s in others if len(s.text.sentences) and s.id != me.id]
    own_denials = {t: (c, who_denied(c)) for c in me.claims for t in c.denies}
    if not cands:
        return [_record(c, "unsupported", 0.0, [], ["no other article in the corpus tells this story"],
                             own_denials, 0) for c in me.claims]
    offsets = np.cumsum([0] + [len(s.text.sentences) for s in cands])
    vectors = np.vstack([s.text.vectors for s in cands])
    cos_all = me.claim_vectors @ vectors.T
    import bm25s

    index = bm25s.BM25()
    index.index([ws for s in cands for ws in s.indexed], show_progress=False)
    restated = _restatements(me, cands)
    out = []
    for i, claim in enumerate(me.claims):
        ct = _claim_text(claim, me.claim_vectors[i])
        q = bm25_query(ct)
        bm = np.zeros(int(offsets[-1]), dtype=np.float32)
        if q:
            try:
                bm = np.asarray(index.get_scores(q), dtype=np.float32)
            except Exception:  # noqa: BLE001 - words the index never saw
                pass
        top = float(bm.max()) if len(bm) else 0.0
        rank = cos_all[i] + (0.5 * bm / top if top > 0 else 0.0)
        best = [float(rank[offsets[j]:offsets[j + 1]].max()) for j in range(len(cands))]
        # the best first; candidates as close as makes no difference (the same sentence in two
        # articles, its scores a rounding apart) in candidate order, not by float noise
        ranked = sorted(range(len(cands)), key=lambda j: (-round(best[j], TIE_DECIMALS), j))
        judged = []
        for j in ranked[:JUDGED]:
            s = cands[j]
            sl = slice(int(offsets[j]), int(offsets[j + 1]))
            seeded = any(r is s for r, _seed in restated.get(i, ()))
            judged.append((s, judge(s.text, ct, cos=cos_all[i][sl], bm=bm[sl], seeded=seeded)))
        out.append(_decide(claim, me.claim_vectors[i], judged, cands, own_denials, threshold, restated.get(i, [])))
    return out


def _restatements(me: Source, cands: list[Source]) -> dict[int, list[tuple[Source, Seed]]]:
    """For each claim, the candidates' sentences it restates: the sentence pairs provenance's
    aligner seeds (a copy, or a paraphrase by the cosine bar fitted on MSRP, lowered for
    sentences sharing names, figures or a quotation)."""
    claim_units = units([(c.start, c.end, c.text) for c in me.claims])
    out: dict[int, list[tuple[Source, Seed]]] = {}
    for s in cands:
        for seed in seeds(claim_units, s.units, me.claim_vectors, s.text.vectors):
            out.setdefault(seed.derived, []).append((s, seed))
    for found in out.values():
        found.sort(key=lambda x: -x[1].similarity)
    return out


def _adds(claim: Claim, s: Source) -> list[str]:
    """What the claim has that article `s` lacks and a restatement may not add: a person, a
    figure, the source it cites."""
    out = [e["text"] for e in claim.entities
           if e["label"] == "PERSON" and not name_found(e["text"].lower(), s.low, s.name_set)]
    out += [_fmt_number(n) for n in claim.numbers
            if not number_found(float(n["value"]), s.text.numbers)]
    a = claim.attribution or {}
    cited = [a.get("source")] if a.get("source_kind") not in ("anonymous", "unknown", None) else []
    cited += [v.get("name") or v.get("text") for v in a.get("via") or []]
    out += [c for c in cited if c and not name_found(c.lower(), s.low, s.name_set)]
    return out


def _decide(claim: Claim, vec: np.ndarray, judged: list[tuple[Source, Any]], cands: list[Source],
            own_denials: dict[str, tuple[Claim, str]], threshold: float,
            restated: list[tuple[Source, Seed]]) -> dict[str, Any]:
    judged.sort(key=lambda x: -x[1].score)
    score = judged[0][1].score if judged else 0.0
    reasons: list[str] = []
    evidence = []
    denied_by: list[str] = []
    supporters = []
    contradictors = []
    for s, j in judged:
        if not j.evidence:
            continue
        ev = j.evidence[0]
        stance = "supports" if j.status == "supported" else "contradicts" if j.status == "contradicted" else "neither"
        idx = next((k for k, (a, _b) in enumerate(s.text.sentences) if a == ev.start), None)
        if idx is not None and idx in s.denied and j.status == "supported":
            d, who = s.denied[idx]
            denied_by.append(f"{_outlet(s)} reports it and that {who} denied it")
            stance = "denied"
        if stance == "supports":
            supporters.append(s)
        elif stance == "contradicts":
            contradictors.append(s)
        evidence.append({"article_id": s.id, "outlet": s.outlet, "start": ev.start, "end": ev.end,
                         "text": ev.text, "similarity": round(ev.similarity, 4), "score": round(j.score, 4),
                         "stance": stance})
    for s in cands:
        for d, who, dv in s.denials:
            if float(dv @ vec) >= per_model(DENIAL_COSINE):
                denied_by.append(f"{who} denied it ({_outlet(s)}: “{d.text[:120]}”)")
                evidence.append({"article_id": s.id, "outlet": s.outlet, "start": d.start, "end": d.end,
                                 "text": d.text, "similarity": round(float(dv @ vec), 4), "score": 0.0,
                                 "stance": "denied"})
    evidence = evidence[:EVIDENCE + 1]
    if denied_by:
        status = "contradicted"
        reasons += denied_by
    elif supporters:
        status = "supported"
        reasons.append(f"supported by {len(supporters)} of the {len(judged)} closest articles: "
                       + ", ".join(sorted({_outlet(s) for s in supporters})))
    elif restating := [(r, seed) for r, seed in restated if not _adds(claim, r)]:
        status = "supported"
        score = max(score, threshold)
        r, seed = restating[0]
        a, b = r.text.sentences[seed.source]
        reasons.append(f"restates {_outlet(r)}: “{r.text.text[a:b][:160]}” ({seed.kind}, cosine {seed.similarity:.2f})")
        evidence.insert(0, {"article_id": r.id, "outlet": r.outlet, "start": a, "end": b, "text": r.text.text[a:b],
                            "similarity": round(seed.similarity, 4), "score": round(score, 4),
                            "stance": "supports"})
        evidence = [e for k, e in enumerate(evidence) if k == 0 or e["article_id"] != r.id][:EVIDENCE + 1]
    elif contradictors:
        status = "contradicted"
        reasons.append("the closest sentence in " + ", ".join(sorted({_outlet(s) for s in contradictors}))
                       + " says nearly the same with the other negation, an opposite word or another figure")
    else:
        status = "unsupported"
        reasons.append(f"no support in the {len(cands)} articles of its story and provenance candidates")
    if status != "supported":
        reasons += _missing(claim, cands)
    if evidence:
        reasons.append(f"closest sentence elsewhere: similarity {evidence[0]['similarity']:.2f} "
                       f"({evidence[0]['outlet'] or evidence[0]['article_id']})")
    return _record(claim, status, score if status != "contradicted" or not denied_by else min(score, 0.5 * threshold),
                        evidence, reasons, own_denials, len(cands))


def _record(claim: Claim, status: str, score: float, evidence: list[dict[str, Any]], reasons: list[str],
            own_denials: dict[str, tuple[Claim, str]], checked: int) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": claim.id, "article_id": claim.article_id, "sentence_id": claim.sentence_id,
        "start": claim.start, "end": claim.end, "text": claim.text, "status": status,
        "score": round(float(score), 4), "checkworthiness": claim.checkworthiness,
        "evidence": evidence, "reasons": reasons, "checked_against": checked,
        "entities": [{k: e[k] for k in ("start", "end", "text", "label")} for e in claim.entities],
        "numbers": [{k: n.get(k) for k in ("start", "end", "text", "value")} for n in claim.numbers],
        "attribution": claim.attribution,
        "denial": ({"denies": claim.denies, "content": claim.denial_content}
                   if claim.denies or claim.denial_content else None),
        "denied_in_article": None,
    }
    if claim.id in own_denials:
        d, who = own_denials[claim.id]
        rec["denied_in_article"] = {"claim_id": d.id, "by": who}
        rec["reasons"] = rec["reasons"] + [f"the article itself reports that {who} denied it"]
    return rec


def _outlet(s: Source) -> str:
    return s.outlet or s.id


def _claim_text(claim: Claim, vec: np.ndarray) -> Text:
    words = tokens(claim.text)
    return Text(claim.text, [(0, len(claim.text))], claim.names, claim.values, words,
                vectors=vec[None, :], sentence_words=[words])


def _bare(name: str) -> str:
    x = name.lower().strip()
    return x[4:] if x.startswith("the ") else x


def _same_outlet(a: str, b: str) -> bool:
    return _bare(a) == _bare(b)


def _missing(claim: Claim, cands: list[Source]) -> list[str]:
    """What the claim has that no candidate has: names, figures, the sources it cites."""
    out = []
    names = sorted({e["text"] for e in claim.entities if e["label"] in NAME_LABELS
                    and not any(name_found(e["text"].lower(), s.low, s.name_set) for s in cands)})
    if names:
        out.append("no other article names " + ", ".join(names[:6]))
    named = {_bare(n) for n in names}
    figures = [_fmt_number(n) for n in claim.numbers
               if not any(number_found(float(n["value"]), s.text.numbers) for s in cands)]
    if figures:
        out.append("no other article has the figure " + ", ".join(f"“{f}”" for f in figures[:6]))
    a = claim.attribution
    if a:
        who = a.get("source") if a.get("source_kind") not in ("anonymous", "unknown", None) else None
        if who and _bare(who) not in named and not any(name_found(who.lower(), s.low, s.name_set) for s in cands):
            out.append(f"it cites {who}, whom no other article cites")
        outlets = [v.get("name") or v.get("text") for v in a.get("via") or []]
        if a.get("source_kind") == "outlet" and a.get("source"):
            outlets.append(a["source"])
        for outlet in filter(None, outlets):  # the whole name ("Post" alone is not the Jerusalem Post)
            own = [s for s in cands if s.outlet and _same_outlet(s.outlet, outlet)]
            if own:
                out.append(f"it is attributed to {outlet}, whose own article here does not say it")
            elif _bare(outlet) not in named and not any(outlet.lower() in s.low for s in cands):
                out.append(f"it cites {outlet}, which no other article cites")
    return out
