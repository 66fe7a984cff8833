"""Attribution extraction on sentences written for the test (first slice of issue 5)."""

import pytest

from newstrace.attribution.extract import extract, lexicon
from newstrace.language.nlp import load_nlp

TEXT = ("The harbour master said that the oil had reached nine kilometres of coast. "
        "“We are doing everything we can,” a senior port official told reporters on Tuesday. "
        "According to the Linhaven Observer, the ship's owner has hired a salvage firm. "
        "The operator has denied the reports. "
        "The mayor urged residents to stay away from the beaches. "
        "The crew were rescued by helicopter.")


@pytest.fixture(scope="module")
def found():
    doc = load_nlp(parse=True)(TEXT)
    return {a.cue.text: a for a in extract(doc)}


def test_spans_point_into_the_text(found):
    for a in found.values():
        for span in (a.source, a.cue, a.content):
            if span is not None:
                assert TEXT[span.start:span.end] == span.text


def test_indirect_speech_direct_quote_and_according_to(found):
    said = found["said"]
    assert (said.source.text, said.content.text) == ("The harbour master", "that the oil had reached nine kilometres of coast")
    assert not said.direct
    told = found["told"]
    assert told.source.text == "a senior port official" and told.content.text == "“We are doing everything we can,”"
    assert told.direct
    acc = found["According to"]
    assert acc.source.text == "the Linhaven Observer" and acc.content.text.startswith("the ship's owner has hired")


def test_denial_and_urging(found):
    denied = found["has denied"]
    assert denied.denial and denied.source.text == "The operator" and denied.content.text == "the reports"
    urged = found["urged"]
    assert urged.source.text == "The mayor" and urged.content.text == "residents to stay away from the beaches"


def test_no_attribution_without_a_cue(found):
    assert not [a for a in found.values() if "rescued" in a.content.text or "helicopter" in a.content.text]


def test_lexicon_inflects_lemmas():
    forms = lexicon().forms
    assert forms["said"][0] == "say" and forms["denies"][1] == "denial" and forms["admitted"][0] == "admit"


def test_a_quote_split_by_its_cue_is_one_content():
    text = ("“The clean-up will take months,” the harbour master said on Wednesday. “We will not stop until "
            "every beach is open again.” The council met later.")
    found = extract(load_nlp(parse=True)(text))
    said = next(a for a in found if a.cue.text == "said")
    assert said.direct and said.source.text == "the harbour master"
    assert said.content.text.startswith("“The clean-up") and said.content.text.endswith("open again.”")


def test_quote_regions_pair_marks_and_close_at_paragraph_ends():
    from newstrace.attribution.extract import quote_regions

    text = 'He said "yes" and “no”.\n\n“An unclosed quote\n\nNext paragraph.'
    regions = [text[s:e] for s, e in quote_regions(text)]
    assert regions == ['"yes"', "“no”", "“An unclosed quote"]


def test_a_judgement_with_its_as_complement_is_attributed():
    text = "The minister criticized the fine as “a slap on the wrist” for the operator."
    found = extract(load_nlp(parse=True)(text))
    crit = next(a for a in found if a.cue.text == "criticized")
    assert crit.kind == "evaluation" and crit.source.text == "The minister" and crit.direct
    assert crit.content.text.startswith("the fine as “a slap on the wrist”")


def test_according_to_before_a_lost_embed_keeps_its_source():
    text = "The ship was refloated at noon. According to the Daily Planet:. Salvage crews stayed on site."
    found = extract(load_nlp(parse=True)(text))
    acc = next(a for a in found if a.cue.text == "According to")
    assert acc.source.text == "the Daily Planet" and acc.content.text == ""
    assert acc.content.start == acc.source.end


def test_a_participle_cue_takes_the_subject_of_its_clause():
    text = "The mayor closed the beaches on Monday, saying that the oil would take weeks to clear."
    found = extract(load_nlp(parse=True)(text))
    saying = next(a for a in found if a.cue.text == "saying")
    assert saying.source is not None and saying.source.text == "The mayor"
    assert saying.content.text == "that the oil would take weeks to clear"


def test_a_cue_with_a_colon_takes_the_quotation_it_introduces():
    text = "The harbour master said:\n\n“Every beach will be checked twice before it reopens.”\n\nThe council agreed."
    found = extract(load_nlp(parse=True)(text))
    said = next(a for a in found if a.cue.text == "said")
    assert said.source.text == "The harbour master" and said.direct
    assert said.content.text == "“Every beach will be checked twice before it reopens.”"
