"""The analysis view of a text, and the offset map back to the original."""

import random

from newstrace.normalize.text import is_hard_wrapped, normalize_text


def _spans_back(original: str):
    n = normalize_text(original)
    return n, [n.span(i, i + 1) for i in range(len(n.text))]


def test_whitespace_folds_and_offsets_map_back():
    text = "Harbour  closed\t on  Monday.\n\n\n\nCrew   rescued."
    n = normalize_text(text)
    assert n.text == "Harbour closed on Monday.\n\nCrew rescued."
    i = n.text.index("Monday")
    a, b = n.span(i, i + len("Monday"))
    assert text[a:b] == "Monday"
    j = n.text.index("Crew rescued")
    a, b = n.span(j, j + len("Crew rescued"))
    assert text[a:b] == "Crew   rescued"


def test_invisible_characters_and_ligatures():
    text = "The of\u00adficial said the ﬁne was \u200bhigh."
    n = normalize_text(text)
    assert "official" in n.text and "fine" in n.text and "\u200b" not in n.text
    i = n.text.index("official")
    a, b = n.span(i, i + len("official"))
    assert text[a:b] == "of\u00adficial"
    i = n.text.index("fine")
    a, b = n.span(i, i + 4)
    assert text[a:b] == "ﬁne"


def test_line_break_hyphen_joined_keeping_the_hyphen():
    text = "a long-\nstanding dispute and an inter-\nnational row"
    n = normalize_text(text)
    assert "long-standing" in n.text and "inter-national" in n.text
    i = n.text.index("long-standing")
    a, b = n.span(i, i + len("long-standing"))
    assert text[a:b] == "long-\nstanding"


def test_hard_wrapped_text_is_unwrapped_but_paragraph_lines_are_not():
    wrapped = ("The harbour master said on Monday that the\nvessel had been drifting for hours\n"
               "before it struck the\nsandbank, and that the crew\nwere taken off by\nlifeboat.")
    assert is_hard_wrapped(wrapped)
    assert "\n" not in normalize_text(wrapped).text
    paragraphs = "First paragraph ends here.\nSecond one too.\nA third.\nAnd a fourth.\nFifth."
    assert not is_hard_wrapped(paragraphs)
    assert normalize_text(paragraphs).text == paragraphs


def test_random_texts_map_every_character_inside_the_original_in_order():
    rng = random.Random(7)
    alphabet = "ab \n\t\u200b\u00adﬁé\u0301-.\r½ "
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        n, spans = _spans_back(text)
        prev = 0
        for (a, b), ch in zip(spans, n.text):
            assert 0 <= a < b <= len(text)
            assert a >= prev
            prev = a
            if ch in "ab.":
                assert text[a:b] == ch
