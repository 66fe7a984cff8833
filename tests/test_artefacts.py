"""Artefacts are found, typed and located in the original text; the text is not changed."""

from newstrace.normalize.artefacts import find_artefacts
from newstrace.records import Article, Span


def _article(text: str, title: str | None = None) -> Article:
    span = None
    if title and text.startswith(title):
        span = Span(0, len(title))
    return Article(id="t", text=text, title=title, title_span=span)


def kinds(a: Article) -> list[tuple[str, str]]:
    return [(x.kind, a.text[x.start:x.end]) for x in find_artefacts(a)]


HEADLINE = "Tanker Aground Off Velmar as Fuel Reaches Beaches"


def test_headline_repeated_in_body_is_flagged_each_time_but_not_the_title():
    body = f"{HEADLINE}\n\nThe tanker struck rocks.\n\n{HEADLINE}\n\nCrews worked all night.\n\n{HEADLINE}\n"
    a = _article(body, HEADLINE)
    found = kinds(a)
    assert found == [("repeated_headline", HEADLINE), ("repeated_headline", HEADLINE)]
    assert find_artefacts(a)[0].start == body.index(HEADLINE, 1)


def test_title_not_in_text_counts_every_repeat_after_a_leading_headline():
    text = "The tanker struck rocks near the pier.\n" + HEADLINE + "\nMore text here today.\n" + HEADLINE
    found = kinds(_article(text, HEADLINE))
    assert [k for k, _ in found] == ["repeated_headline", "repeated_headline"]


def test_other_repeated_paragraph():
    line = "Officials urged residents to stay away from the shore."
    found = kinds(_article(f"Intro line.\n{line}\nMiddle.\n{line}"))
    assert found == [("repeated_line", line)]


def test_wire_credits_closing_line_dateline_and_trailing():
    text = ("VELMAR (Reuters) - A tanker ran aground on Monday.\n"
            "The port was closed.\n"
            "Reporting by Ana Ruiz; Editing by Tom Bell\n"
            "With post wire")
    found = kinds(_article(text))
    assert ("wire_credit", "VELMAR (Reuters) -") in found
    assert ("wire_credit", "Reporting by Ana Ruiz; Editing by Tom Bell") in found
    assert ("wire_credit", "With post wire") in found
    found = kinds(_article("The port reopened on Tuesday, officials said. (AP)"))
    assert found == [("wire_credit", "(AP)")]


def test_dangling_embed_but_not_a_colon_introducing_a_quote_or_list():
    text = ("The ship was seen leaking fuel. According to the Coastal Herald:.\n"
            "The minister said:\n"
            "\u201cWe will act.\u201d\n"
            "Demands were:\n"
            "- compensation\n"
            "Watch the video below:")
    found = kinds(_article(text))
    assert ("dangling_embed", "According to the Coastal Herald:.") in found
    assert ("dangling_embed", "Watch the video below:") in found
    assert all("minister" not in t and "Demands" not in t for _, t in found)


def test_boilerplate_prompts_only_on_short_lines():
    long_line = ("Residents who subscribe to the council's flood alerts by text message were warned "
                 "early, the council said, and most of them moved their cars away from the quay before "
                 "the water rose on Monday night.")
    text = f"Sign up for our morning newsletter\nShare this article\n{long_line}\nAdvertisement"
    found = kinds(_article(text))
    assert [k for k, _ in found] == ["boilerplate", "boilerplate", "boilerplate"]
    assert all(t != long_line for _, t in found)


def test_spans_index_the_original_text_unchanged():
    text = "  Sign up for our newsletter  \r\nBody text that stays.\r\n"
    a = _article(text)
    (art,) = find_artefacts(a)
    assert text[art.start:art.end] == "Sign up for our newsletter"
    assert a.text == text
