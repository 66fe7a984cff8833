"""Numbers normalised to values; date expressions resolved against the article date."""

from datetime import date

import pytest

from newstrace.language.dates import resolve_date
from newstrace.language.numbers import find_numbers


def values(text: str):
    return [(n.text, n.value, n.unit, n.kind) for n in find_numbers(text)]


@pytest.mark.parametrize("text,expected", [
    ("an estimated 1.2 million residents", [("1.2 million", 1_200_000, None, "cardinal")]),
    ("a 57-nation body", [("57", 57, None, "cardinal")]),
    ("fined $3.5bn", [("$3.5bn", 3_500_000_000, "USD", "money")]),
    ("a fine of 500 million euros", [("500 million euros", 500_000_000, "EUR", "money")]),
    ("up 40% on the year", [("40%", 40, "percent", "percent")]),
    ("fell 4.5 per cent", [("4.5 per cent", 4.5, "percent", "percent")]),
    ("1,250,000 barrels", [("1,250,000", 1_250_000, None, "cardinal")]),
    ("twenty-five sailors and a dozen boats", [("twenty-five", 25, None, "cardinal"),
                                               ("a dozen", 12, None, "cardinal")]),
    ("three hundred tonnes", [("three hundred", 300, None, "cardinal")]),
    ("the 21st time", [("21st", 21, None, "ordinal")]),
])
def test_numbers(text, expected):
    assert values(text) == expected


def test_model_names_are_not_numbers():
    assert values("Su-35 jets, F-16s and COVID-19") == []


def test_single_letter_scale_only_with_currency():
    assert values("5m away, costing £5m") == [("5", 5, None, "cardinal"), ("£5m", 5_000_000, "GBP", "money")]


REF = date(2026, 3, 4)  # a Wednesday


@pytest.mark.parametrize("text,expected", [
    ("Monday", "2026-03-02"),
    ("on Wednesday", "2026-03-04"),
    ("next Monday", "2026-03-09"),
    ("yesterday", "2026-03-03"),
    ("two days ago", "2026-03-02"),
    ("last week", "2026-W09"),
    ("last month", "2026-02"),
    ("Dec. 30", "2025-12-30"),
    ("5 March 2024", "2024-03-05"),
    ("March 2024", "2024-03"),
    ("since 2005", "2005"),
    ("the 1990s", None),
])
def test_dates_resolved_against_the_article_date(text, expected):
    assert resolve_date(text, REF) == expected


def test_relative_dates_need_a_reference():
    assert resolve_date("Monday", None) is None
    assert resolve_date("5 March 2024", None) == "2024-03-05"
