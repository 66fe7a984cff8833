"""`newstrace compare A B`: is one article derived from the other, how (copy, edit, rewrite,
partial rewrite) and what share of each it covers, passage by passage, what B added to A and
dropped from it, each side's rewriting signals, and B's claims checked against A (supported,
unsupported, contradicted, with the evidence and the reasons).

Both articles go through normalisation, artefact detection and language analysis; the pair
is judged by `decide.judge` both ways and decided by the family pass (`family.decide`) over the
two of them, as `analyze` would (A counts as stored first). The passages shown are those of the
verdict's alignment (the decided derived side against the decided source side, which may be
A against B). What B added and dropped is always read from B aligned against A: B's sentences
no sentence of A explains, and A's sentences no sentence of B draws on, whichever way the
verdict points. Spans are character offsets into each article's own text.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from newstrace.ingest import read_paths
from newstrace.provenance.align import Unit
from newstrace.records import Article, Skipped

SIDES = ("A", "B")


class CompareError(Exception):
    """An input that cannot be compared (missing, empty, not one article); the message names it."""


def read_article(spec: str) -> Article:
    """The one article in file `spec`, or the one with id ID when `spec` is `FILE#ID` and
    FILE holds several. Raises `CompareError` naming the file otherwise."""
    path, wanted = spec, None
    if "#" in spec and not os.path.exists(spec):
        path, wanted = spec.rsplit("#", 1)
    records = list(read_paths([path]))
    articles = [r for r in records if isinstance(r, Article)]
    if wanted is not None:
        articles = [a for a in articles if a.id == wanted]
        if not articles:
            raise CompareError(f"{path}: no article with id {wanted!r}")
    if not articles:
        reasons = "; ".join(r.reason + (f" ({r.where})" if r.where else "") for r in records if isinstance(r, Skipped))
        raise CompareError(f"cannot read an article from {path}: {reasons or 'no article in it'}")
    if len(articles) > 1:
        ids = ", ".join(a.id for a in articles[:5]) + (", ..." if len(articles) > 5 else "")
        raise CompareError(f"{path} holds {len(articles)} articles; pick one as {path}#ID (ids: {ids})")
    return articles[0]


def analyse(articles: list[Article]) -> None:
    """Normalise and analyse `articles` in this process (sentences filled in, in place).
    Raises `CompareError` naming the input of an article the pipeline drops."""
    from newstrace.unit.stage import Analyze
    from newstrace.normalize.stages import FindArtefacts
    from newstrace.pipeline import Pipeline, RunContext

    skips: list[Skipped] = []
    Pipeline([FindArtefacts(), Analyze(jobs=1, attributions=True)]).run(
        articles, RunContext(on_skip=skips.append))
    if skips:
        raise CompareError(f"cannot analyse {skips[0].message()}")


def compare(article_a: Article, article_b: Article) -> dict[str, Any]:
    """Judge two articles as read (they are analysed here) and describe the pair as a
    JSON-serialisable dict: the articles, the verdict, the aligned passages (columns `A` and
    `B`, with their sentence pairs), and the sentences B `added` to A and `dropped` from it.
    The verdict names the articles by their `label`: the id, suffixed " (A)" / " (B)" if both share one."""
    from newstrace.provenance.decide import judge, row_of
    from newstrace.provenance.family import Member, Pair, decide, default_family_model
    from newstrace.provenance.score import doc_of, pair_features
    from newstrace.provenance.signals import score_articles
    from newstrace.provenance.stage import substantive

    analyse([article_a, article_b])
    # The verdict names its sides by document id: two articles with one id get told apart.
    same = article_a.id == article_b.id
    doc_a, doc_b = (dataclasses.replace(doc_of(article), id=f"{article.id} ({side})" if same else article.id)
                    for article, side in zip((article_a, article_b), SIDES))
    # judge's second article counts as seen first: A is the source when nothing tells the direction.
    verdict = judge(doc_b, doc_a, date_a=article_b.published, date_b=article_a.published,
                    outlet_a=article_b.source, outlet_b=article_a.source)
    # The decision is the family pass's over these two articles (A stored first), as `analyze` takes it.
    english = [a.language in (None, "en") for a in (article_a, article_b)]
    sigs = score_articles([article_a, article_b], english)
    members = {d.id: Member(d.id, k, (art.published or "")[:10] or None, sig, [u.end - u.start for u in d.units])
               for k, (d, art, sig) in enumerate(zip((doc_a, doc_b), (article_a, article_b), sigs))}
    family = decide(members, [Pair.from_row(row_of(verdict, "compare"))]) \
        if substantive(doc_a) and substantive(doc_b) else None
    edge = family.edges[0] if family and family.edges else None
    a_derived = (edge.derived if edge else verdict.derived) == doc_a.id
    derived_side, source_side = ("A", "B") if a_derived else ("B", "A")
    derived, source = (doc_a, doc_b) if a_derived else (doc_b, doc_a)
    alignment = verdict.alignment if derived.id == verdict.derived else pair_features(derived, source)[1]
    texts = {"A": article_a.text, "B": article_b.text}
    coverage = {derived_side: verdict.coverage_derived, source_side: verdict.coverage_source}
    if edge:
        coverage = {derived_side: edge.coverage_derived, source_side: edge.coverage_source}
    cands = family.candidates.get(derived.id, []) if family else []
    score = edge.probability if edge else max((c.derived for c in cands), default=0.0)

    def sides(derived_span: tuple[int, int], source_span: tuple[int, int]) -> dict[str, Any]:
        return {derived_side: _span(texts[derived_side], *derived_span),
                source_side: _span(texts[source_side], *source_span)}

    passages = []
    for p in alignment.passages:
        pairs = []
        for seed in alignment.seeds:
            if seed.derived in p.derived_sentences:
                d, src = derived.units[seed.derived], source.units[seed.source]
                pairs.append({"kind": seed.kind, "similarity": round(seed.similarity, 4),
                              "overlap": round(seed.overlap, 4), **sides((d.start, d.end), (src.start, src.end))})
        passages.append({"kind": p.kind, "similarity": round(p.similarity, 4),
                         **sides((p.derived_start, p.derived_end), (p.source_start, p.source_end)), "pairs": pairs})
    passages.sort(key=lambda p: (p["A"]["start"], p["B"]["start"]))
    b_on_a = pair_features(doc_b, doc_a)[1] if a_derived else alignment
    return {
        "articles": {side: _article_json(article, doc.id)
                     for side, article, doc in zip(SIDES, (article_a, article_b), (doc_a, doc_b))},
        "verdict": {
            "derived": edge is not None, "derived_side": derived_side, "source_side": source_side,
            "derived_id": derived.id, "source_id": source.id, "relation": edge.relation if edge else None,
            "score": round(score, 4), "threshold": default_family_model().threshold,
            "pair_score": verdict.score, "reverse_score": verdict.reverse_score,
            "direction": edge.decided_by if edge else "undetermined",
            "confidence": edge.probability if edge else round(1 - score, 4),
            "evidence": list(edge.evidence) if edge else list(verdict.evidence),
            "coverage": {side: round(coverage[side], 4) for side in SIDES},
            "features": verdict.features,
        },
        "signals": {side: sig.signals for side, sig in zip(SIDES, sigs)},
        "passages": passages,
        "added": _unaligned(doc_b.units, b_on_a.derived_aligned, article_b.text),
        "dropped": _unaligned(doc_a.units, b_on_a.source_aligned, article_a.text),
        "claims": b_claims(article_a, article_b, doc_a.id, doc_b.id),
    }


def b_claims(article_a: Article, article_b: Article, label_a: str, label_b: str) -> list[dict[str, Any]]:
    """B's check-worthy claims, each checked against A alone (claims.jsonl records; `article_id`
    and evidence `article_id` are the articles' labels)."""
    from newstrace.claims.corpus import check_source
    from newstrace.claims.source import build_source

    def source(article: Article, label: str):  # type: ignore[no-untyped-def]
        return build_source(label, article.text, article.source, article.published,
                            [s.to_json() for s in article.sentences], article.attributions)

    return check_source(source(article_b, label_b), [source(article_a, label_a)])


def _article_json(article: Article, label: str) -> dict[str, Any]:
    return {"id": article.id, "label": label, "title": article.title, "path": article.input_path,
            "ref": article.input_ref, "published": article.published}


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _unaligned(units: list[Unit], aligned: list[bool], text: str) -> list[dict[str, Any]]:
    return [_span(text, u.start, u.end) for u, ok in zip(units, aligned) if not ok]


def render(result: dict[str, Any], console: Console) -> None:
    """Print `result` (from `compare`) for people: the verdict, each aligned passage as a table
    of its sentence pairs side by side, then what B added and dropped. Text is wrapped, never cut."""
    console.print(_verdict_panel(result["articles"], result["verdict"], result.get("signals")), soft_wrap=False)
    passages = result["passages"]
    if not passages:
        console.print("\nNo aligned passages.")
    for n, p in enumerate(passages, 1):
        table = Table(title=f"\nPassage {n} of {len(passages)}: {p['kind']}, mean cosine {p['similarity']:.2f} "
                            f"(A {p['A']['start']}–{p['A']['end']}, B {p['B']['start']}–{p['B']['end']})",
                      title_justify="left", title_style="bold", expand=True, show_lines=True)
        for side in SIDES:
            table.add_column(side, ratio=1)
        table.add_column("kind", no_wrap=True)
        for pair in p["pairs"]:
            table.add_row(*(Text(_flat(pair[side]["text"])) for side in SIDES),
                          Text(f"{pair['kind']}\ncos {pair['similarity']:.2f}"))
        console.print(table, soft_wrap=False)
    claims = result.get("claims") or []
    if claims:
        table = Table(title=f"\nB's claims checked against A: {len(claims)}", title_justify="left", title_style="bold",
                      expand=True, show_lines=True)
        table.add_column("status", no_wrap=True)
        table.add_column("B's claim", ratio=2)
        table.add_column("why", ratio=2)
        colour = {"supported": "green", "unsupported": "yellow", "contradicted": "red"}
        for c in claims:
            ev = c["evidence"][0]["text"] if c["evidence"] else ""
            why = "; ".join(c["reasons"][:3]) + (f"\nA: {_flat(ev)}" if ev and c["status"] != "unsupported" else "")
            table.add_row(Text(f"{c['status']}\n{c['score']:.2f}", style=colour.get(c["status"], "")),
                          Text(_flat(c["text"])), Text(why))
        console.print(table, soft_wrap=False)
    for title, items in (("B added (sentences of B not aligned to A)", result["added"]),
                         ("B dropped (sentences of A not aligned by B)", result["dropped"])):
        console.print(Text(f"\n{title}: {len(items)}", style="bold"), soft_wrap=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in items:
            grid.add_row("  •", Text(_flat(item["text"])).append(f"  [{item['start']}–{item['end']}]", style="dim"))
        console.print(grid, soft_wrap=False)


def _flat(text: str) -> str:
    """`text` on one line: its runs of white space (line breaks included) as single spaces."""
    return " ".join(text.split())


def _verdict_panel(arts: dict[str, Any], v: dict[str, Any], signals_of: dict[str, list] | None = None) -> Panel:
    derived, source = v["derived_side"], v["source_side"]
    if not v["derived"]:
        head = Text("Not derived: neither article reads as a rewrite or copy of the other", style="bold green")
    elif v["direction"] == "undetermined":
        head = Text(f"Derived: one article derives from the other; which came first is undetermined, "
                    f"so {source} is taken as the source", style="bold red")
    else:
        relation = (v.get("relation") or "derivation").replace("_", " ")
        head = Text(f"{derived} ({arts[derived]['label']}) is derived from {source} ({arts[source]['label']}): "
                    f"{relation}", style="bold red")
    lines = [head,
             Text(f"score {v['score']:.2f} (threshold {v['threshold']:.2f}); pair score {v['pair_score']:.2f}, "
                  f"the reading the other way round {v['reverse_score']:.2f}"),
             Text(f"direction: {v['direction']}, confidence {v['confidence']:.2f}"),
             Text(f"shares: {derived} retells {v['coverage'][source]:.0%} of {source}; "
                  f"{v['coverage'][derived]:.0%} of {derived} is {source}'s material")]
    lines += [Text(f"• {e}") for e in v["evidence"]]
    for side, signals in (signals_of or {}).items():
        kinds: dict[str, int] = {}
        for x in signals:
            kinds[x["kind"]] = kinds.get(x["kind"], 0) + (0 if x["kind"] == "machine_phrasing" and "start" in x else 1)
        if kinds:
            lines.append(Text(f"{side}'s rewriting signals: " + ", ".join(
                f"{k.replace('_', ' ')}" + (f" ×{n}" if n > 1 else "") for k, n in kinds.items())))
    for side in SIDES:
        title = f" ({arts[side]['title']})" if arts[side]["title"] else ""
        lines.append(Text(f"{side}: {arts[side]['path'] or arts[side]['id']}{title}", style="dim"))
    return Panel(Group(*lines), title="newstrace compare", title_align="left")
