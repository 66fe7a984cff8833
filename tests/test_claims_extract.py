"""Claim extraction from stored sentences and attributions, and the Source the claims pass keeps."""

import re

from newstrace.claims.extract import MAX_CHARS, MIN_CHECKWORTHY, checkworthiness, extract_claims, pieces


def _sentences(text, spans, entities=None, numbers=None, article="a"):
    entities = entities or {}
    numbers = numbers or {}
    return [{"id": f"{article}:s{i}", "article_id": article, "start": s, "end": e, "text": text[s:e],
             "entities": entities.get(i, []), "numbers": numbers.get(i, []), "artefact": None}
            for i, (s, e) in enumerate(spans)]


def _split(text):
    """Sentence spans at '. ' boundaries (enough for hand-written fixtures)."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in ".:?" and (i + 1 == len(text) or text[i + 1] == " "):
            spans.append((start, i + 1))
            start = i + 2
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _ent(text, word, label):
    s = text.index(word)
    return {"start": s, "end": s + len(word), "text": word, "label": label}


def _attr(text, idx, cue, kind, source=None, source_kind="person", content=None, denial=False, via=()):
    cs = text.index(cue)
    rec = {"id": f"a:a{idx}", "cue": {"start": cs, "end": cs + len(cue), "text": cue}, "cue_kind": kind,
           "source": None, "content": None, "content_parts": [], "via": list(via), "denial": denial}
    if source:
        ss = text.index(source)
        rec["source"] = {"start": ss, "end": ss + len(source), "text": source, "name": source, "kind": source_kind}
    if content:
        c0 = text.index(content)
        rec["content"] = {"start": c0, "end": c0 + len(content), "text": content}
    return rec


def test_long_run_on_sentence_is_cut_into_bounded_pieces_in_order():
    clause = "the harbour board met again on a wet afternoon to argue about the dredging budget"
    text = ", ".join([clause] * 120) + "."
    spans = pieces(0, len(text), text)
    assert len(spans) > 10
    assert all(e - s <= MAX_CHARS for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # in order, no overlap
    covered = sum(e - s for s, e in spans)
    assert covered > 0.95 * len(text)  # only separators left out


def test_unbroken_text_without_punctuation_is_still_bounded():
    text = " ".join(["word"] * 2000)
    spans = pieces(0, len(text), text)
    assert spans and all(0 < e - s <= MAX_CHARS for s, e in spans)


def test_lists_split_at_line_breaks_and_table_rows_are_not_claims():
    text = ("The council approved three measures:\n- a ban on night fishing in Pell Bay until June\n"
            "- a grant of 40,000 euros for the lifeboat station\n- new buoys at the harbour mouth\n"
            "2024 | 12.4 | 13.1 | 9.8 | 7.7\n2025 | 11.0 | 12.9 | 9.1 | 8.2")
    claims = extract_claims("a", text, _sentences(text, [(0, len(text))]))
    texts = [c.text for c in claims]
    assert any(t.startswith("a ban on night fishing") for t in texts)
    assert any("40,000 euros" in t for t in texts)
    assert not any("|" in t for t in texts)  # flattened table rows are left out
    for c in claims:
        assert text[c.start:c.end] == c.text


def test_headline_only_article_gives_its_headline_without_guessed_names():
    text = "Ferry Operator Cancels Winter Crossings After Storm Damage"
    ents = {0: [_ent(text, "Cancels Winter Crossings", "ORG"), _ent(text, "Ferry Operator", "ORG")]}
    claims = extract_claims("h", text, _sentences(text, [(0, len(text))], ents, article="h"))
    assert len(claims) == 1 and claims[0].text == text
    assert claims[0].names == []  # Title Case guesses the body does not confirm are dropped


def test_questions_short_pieces_and_artefacts_are_left_out():
    text = "Will the bridge reopen before summer? It was late. Crews replaced 14 cables on the Aldwick bridge."
    sents = _sentences(text, _split(text))
    sents[2]["numbers"] = [{"start": text.index("14"), "end": text.index("14") + 2, "text": "14", "value": 14}]
    claims = extract_claims("q", text, sents)
    assert [c.text for c in claims] == ["Crews replaced 14 cables on the Aldwick bridge."]
    sents[2]["artefact"] = "boilerplate"
    assert extract_claims("q", text, sents) == []


def test_checkworthiness_rises_with_names_figures_and_sources():
    plain = checkworthiness("The weather was mild for most of the week in the valley.", 0, 0, False)
    rich = checkworthiness("Minister Oren Falk said 300 jobs would go at the Tarrin plant.", 1, 1, True)
    personal = checkworthiness("I think we should all take a moment to reflect on the week.", 0, 0, False)
    assert rich > plain > personal
    assert rich >= MIN_CHECKWORTHY


def test_denial_of_the_reports_points_to_the_reported_claim():
    text = ("Kestrel Yards is selling 40 patrol boats to the navy. According to the Daily Lantern: "
            "The shipyard has denied the reports.")
    sents = _sentences(text, _split(text))
    attrs = [_attr(text, 0, "According to", "according", "the Daily Lantern", "outlet"),
             _attr(text, 1, "has denied", "denial", "The shipyard", "organisation", content="the reports",
                   denial=True)]
    claims = extract_claims("a", text, sents, attrs)
    assert [c.text for c in claims] == ["Kestrel Yards is selling 40 patrol boats to the navy.",
                                        "The shipyard has denied the reports."]
    first, denial = claims
    # the detached "According to the Daily Lantern:" speaks for the claim before it
    assert first.attribution is not None and first.attribution["source"] == "the Daily Lantern"
    assert denial.denies == [first.id] and denial.denial_content is None


def test_explicit_denial_keeps_what_it_denies():
    text = "The mayor denied that the council had sold the harbour land to Brennock Estates."
    content = "that the council had sold the harbour land to Brennock Estates"
    attrs = [_attr(text, 0, "denied", "denial", "The mayor", content=content, denial=True)]
    claims = extract_claims("a", text, _sentences(text, [(0, len(text))]), attrs)
    assert len(claims) == 1
    assert claims[0].denial_content == content and claims[0].denies == []


def test_the_attribution_of_a_claim_is_the_one_that_asserts_it():
    text = ("The minister urged the port to close the outer berth at night, a senior harbour official said.")
    inner = _attr(text, 0, "urged", "speech", "The minister",
                  content="the port to close the outer berth at night")
    outer = _attr(text, 1, "said", "speech", "a senior harbour official", "anonymous",
                  content="The minister urged the port to close the outer berth at night")
    claims = extract_claims("a", text, _sentences(text, [(0, len(text))]), [inner, outer])
    assert claims[0].attribution["id"] == "a:a1"
    assert claims[0].attribution["source"] == "a senior harbour official"


def test_a_source_keeps_its_denials_through_the_store_form():
    """`dump_source` / `load_source` keep what a denial denies (its vector) and which sentences
    a denial refers to, with the claims and their vectors."""
    import numpy as np

    from newstrace.claims.source import build_source, dump_source, load_source

    text = ("Kestrel Yards is selling 40 patrol boats to the navy. According to the Daily Lantern: "
            "The shipyard has denied the reports. The mayor denied that the council had sold the harbour "
            "land to Brennock Estates.")
    cut = [m.start() for m in re.finditer(r"(?<=\. )[A-Z]", text)]
    spans = list(zip([0] + cut, [c - 1 for c in cut] + [len(text)]))
    sents = _sentences(text, spans)
    content = "that the council had sold the harbour land to Brennock Estates"
    attrs = [_attr(text, 0, "According to", "according", "the Daily Lantern", "outlet"),
             _attr(text, 1, "has denied", "denial", "The shipyard", "organisation", content="the reports",
                   denial=True),
             _attr(text, 2, "denied", "denial", "The mayor", content=content, denial=True)]
    src = build_source("a", text, "Harbour Post", "2026-03-01", sents, attrs)
    back = load_source(dump_source(src))
    assert src.denied and src.denials
    assert back.denied.keys() == src.denied.keys()
    assert [(c.id, who) for c, who in back.denied.values()] == [(c.id, who) for c, who in src.denied.values()]
    assert [(c.id, who) for c, who, _ in back.denials] == [(c.id, who) for c, who, _ in src.denials]
    assert all(np.array_equal(v, w) for (_, _, v), (_, _, w) in zip(back.denials, src.denials))
    assert [c.text for c in back.claims] == [c.text for c in src.claims]
    assert np.array_equal(back.claim_vectors, src.claim_vectors)
    assert np.array_equal(back.text.vectors, src.text.vectors)
    assert [(u.start, u.end, u.words) for u in back.units] == [(u.start, u.end, u.words) for u in src.units]
    assert back.indexed == src.indexed and back.name_set == src.name_set and back.low == src.low
