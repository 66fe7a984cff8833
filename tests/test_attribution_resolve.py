"""Attributions through the analysis workers: sources resolved, outlet chains, offsets into the
original text, and awkward quotation marks (issue 5). Texts written for the tests."""

from newstrace.unit import Payload, analyze_batch


def attributions(text: str, outlet: str | None = None) -> list[dict]:
    [res] = analyze_batch([Payload("t", text, None, [], outlet)], attributions=True)
    assert res.error is None
    for r in res.attributions:  # every span reads back from the original text
        spans = [r["cue"], r["content"], *r["content_parts"], *r["via"]] + ([r["source"]] if r["source"] else [])
        for s in spans:
            assert 0 <= s["start"] <= s["end"] <= len(text)
            assert text[s["start"]:s["end"]] == s["text"]
    return res.attributions


def by_cue(found: list[dict], cue: str) -> dict:
    return next(r for r in found if r["cue"]["text"] == cue)


def test_names_roles_pronouns_and_short_names():
    found = attributions(
        "Israeli Defence Minister Yoav Marel warned on Sunday that the militia would pay a heavy price. "
        "“This could become a war,” Marel said. He added that the army was ready for any scenario.")
    warned = by_cue(found, "warned")["source"]
    assert (warned["kind"], warned["name"], warned["country"]) == ("person", "Yoav Marel", "Israel")
    assert "Defence Minister" in warned["role"]
    said = by_cue(found, "said")
    assert said["direct"] and said["source"]["name"] == "Yoav Marel"
    assert said["source"]["resolved_from"] == "short name"
    added = by_cue(found, "added")["source"]
    assert (added["text"], added["name"], added["resolved_from"]) == ("He", "Yoav Marel", "pronoun")


def test_anonymous_sources_told_an_outlet_are_second_hand():
    found = attributions("The ministry is preparing new sanctions, two senior Varnish officials told Reuters on Monday.",
                         outlet="Coastal Herald")
    told = by_cue(found, "told")
    assert told["source"]["kind"] == "anonymous" and told["source"]["anonymous"]
    assert [v["name"] for v in told["via"]] == ["Reuters"] and told["via"][0]["text"] == "Reuters"
    assert told["second_hand"]
    assert told["content"]["text"].startswith("The ministry is preparing new sanctions")


def test_according_to_an_outlet_and_the_articles_own_outlet():
    text = "According to the Linhaven Observer, the envoy met the rebel commanders twice in March."
    other = by_cue(attributions(text, outlet="Coastal Herald"), "According to")
    assert other["source"]["kind"] == "outlet" and other["source"]["name"] == "Linhaven Observer"
    assert other["second_hand"]
    own = by_cue(attributions(text, outlet="The Linhaven Observer"), "According to")
    assert not own["second_hand"]


def test_seats_of_government_denials_and_references_back():
    found = attributions(
        "The Kremlin has denied the reports. "
        "Veltrane Shipping said it would appeal the fine. The company declined to comment on the grounding. "
        "An OIC official said the meeting would go ahead. The official insisted that the ministers must attend.")
    denied = by_cue(found, "has denied")
    assert denied["denial"] and denied["content"]["text"] == "the reports"
    assert (denied["source"]["kind"], denied["source"]["country"]) == ("government", "Russia")
    declined = by_cue(found, "declined")["source"]
    assert declined["name"] == by_cue(found, "said")["source"]["name"] and declined["resolved_from"] == "title"
    insisted = by_cue(found, "insisted")["source"]
    assert insisted["anonymous"] and "OIC official" in insisted["name"] and insisted["resolved_from"] == "title"


def test_spans_map_back_through_normalisation():
    # a line-break hyphen and runs of white space change the analysis view, not the offsets
    text = ("The harbour   master said that the oil had reached nine kilo-\nmetres of coast.\n\n"
            "“We are doing everything we can,”  a port official told reporters.")
    found = attributions(text)
    said = by_cue(found, "said")
    assert said["source"]["text"] == "The harbour   master"
    assert said["content"]["text"].endswith("kilo-\nmetres of coast")
    told = by_cue(found, "told")
    assert told["content"]["text"] == "“We are doing everything we can,”"


def test_unbalanced_quotation_marks_stay_in_their_paragraph():
    text = ("“We will rebuild the pier, the mayor said on Friday, before the vote.\n\n"
            "The council met later and approved the budget. Residents said they were relieved.")
    found = attributions(text)
    for r in found:
        assert "\n\n" not in r["content"]["text"] or not r["direct"]
    residents = next(r for r in found if r["source"] and r["source"]["text"] == "Residents")
    assert residents["content"]["text"] == "they were relieved"


def test_curly_and_straight_quotes_mixed():
    found = attributions('"We are ready for the storm,” the captain said. The crew agreed.')
    said = by_cue(found, "said")
    assert said["direct"] and said["source"]["text"] == "the captain"
    assert said["content"]["text"].startswith('"We are ready') and said["content"]["text"].endswith("”")


def test_a_quote_that_spans_paragraphs():
    text = ("“The first stage of the clean-up is over.\n\n"
            "“The second will take the whole summer,” the spokesman said. The ferry service resumed.")
    found = attributions(text)
    said = by_cue(found, "said")
    assert said["direct"] and said["source"]["text"] == "the spokesman"
    assert said["content"]["text"].endswith("summer,”")
    assert "ferry" not in said["content"]["text"]


def test_non_english_quotes_inside_english_text():
    found = attributions("“Wir schaffen das,” the chancellor said. "
                         "The prefect told reporters: « Nous ne partirons pas ». Talks resumed on Monday.")
    said = by_cue(found, "said")
    assert said["direct"] and said["content"]["text"] == "“Wir schaffen das,”"
    assert said["source"]["text"] == "the chancellor"
    told = by_cue(found, "told")
    assert "Nous ne partirons pas" in told["content"]["text"]


def test_no_attributions_in_text_without_cues():
    assert attributions("The ferry left the harbour at dawn. Gulls followed it out past the breakwater.") == []


def test_a_long_text_is_parsed_in_pieces_with_offsets_kept(monkeypatch):
    from newstrace.attribution import records

    monkeypatch.setattr(records, "CHUNK_CHARS", 400)
    para = ("“The pier will reopen next week,” the harbour master said on Tuesday. "
            "Two officials told the Linhaven Observer that the repairs had cost more than planned.\n\n")
    text = para * 12
    assert len(records.chunks(text, 400)) > 3
    found = attributions(text)  # checks every span against the original text
    said = [r for r in found if r["cue"]["text"] == "said"]
    told = [r for r in found if r["cue"]["text"] == "told"]
    assert len(said) == 12 and len(told) == 12
    assert all(r["source"]["text"] == "the harbour master" and r["direct"] for r in said)
    assert all(r["source"]["anonymous"] and r["second_hand"] for r in told)


def test_chunks_cut_at_paragraph_breaks_and_cover_the_text():
    from newstrace.attribution.records import chunks

    text = ("word " * 30 + "\n\n") * 10
    pieces = chunks(text, 200)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(text[end - 2:end] == "\n\n" for _, end in pieces[:-1])
    assert all(end - start <= 200 for start, end in pieces)
