"""Numbers and quantities in text, normalised to values ("1.2 million" -> 1200000).

Finds digit numerals (with thousands separators, decimals, scale words and suffixes such as
"1.2 million", "$3.5bn", "40%", "57-nation") and spelled-out numbers ("two", "twenty-five",
"a dozen", "three hundred"). Model and product names ("Su-35", "F-16", "COVID-19") are not
numbers: a numeral glued by a hyphen to letters before it is part of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "mln": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}
# Single-letter scale suffixes are accepted only glued to a currency amount ("$5m", "€2bn"),
# never after a bare number ("5 m" is five metres).
_LETTER_SCALES = {"k", "m", "b"}

CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
              "₽": "RUB", "₩": "KRW", "₺": "TRY", "₪": "ILS"}
CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
                  "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "yen": "JPY",
                  "rupees": "INR", "rubles": "RUB", "roubles": "RUB", "yuan": "CNY",
                  "shekels": "ILS", "usd": "USD", "eur": "EUR", "gbp": "GBP"}

UNITS = {"ones": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
         "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
            "twentieth": 20, "hundredth": 100, "thousandth": 1000}
MISC = {"dozen": 12, "dozens": 12, "half": 0.5, "a dozen": 12}

_CUR = "|".join(re.escape(c) for c in sorted(CURRENCIES, key=len, reverse=True))
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"

DIGIT_NUMBER = re.compile(
    rf"(?<![\w.,/])(?P<neg>[-−])?(?P<cur>{_CUR})?\s?(?P<num>{_NUM})"
    rf"(?:(?P<glued>{_SCALE})\b|\s?(?P<scale>hundred|thousand|million|billion|trillion|mn|bn|mln|bln|tn|trn)\b)?"
    rf"(?:(?P<pct>\s?%|\s?(?:per\s?cent|percent)\b)|(?P<ord>st|nd|rd|th)?\b)",
    re.IGNORECASE,
)
_WORD = "|".join(sorted(list(UNITS) + list(TENS) + list(ORDINALS) + ["hundred", "thousand", "million",
                                                                    "billion", "trillion", "dozen",
                                                                    "dozens"], key=len, reverse=True))
WORD_NUMBER = re.compile(rf"\b(?:a\s+)?(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"[A-Za-z]-$")
_CUR_WORD_AFTER = re.compile(r"^\s+(" + "|".join(CURRENCY_WORDS) + r")\b", re.IGNORECASE)


@dataclass(slots=True)
class FoundNumber:
    start: int
    end: int
    text: str
    value: float
    unit: str | None
    kind: str


def _word_value(words: list[str]) -> tuple[float, str] | None:
    total, current, kind = 0.0, 0.0, "cardinal"
    seen = False
    for w in words:
        if w in ("a", "and"):
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in ORDINALS:
            current += ORDINALS[w]
            kind = "ordinal"
        elif w in ("dozen", "dozens"):
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in ("thousand", "million", "billion", "trillion"):
            total += (current or 1) * SCALES[w]
            current = 0
        else:
            return None
        seen = True
    return (total + current, kind) if seen else None


def find_numbers(text: str) -> list[FoundNumber]:
    """Every number in `text` with its value, unit and kind, in text order."""
    found: list[FoundNumber] = []
    taken: list[tuple[int, int]] = []
    for m in DIGIT_NUMBER.finditer(text):
        start = m.start()
        if m.group("neg") and (start > 0 and text[start - 1].isalnum()):
            start += 1  # "2020-21": the hyphen is a range, not a minus
        if _NAME_BEFORE.search(text[max(0, m.start() - 2):m.start() + (1 if m.group("neg") else 0)]):
            continue  # Su-35, F-16, COVID-19
        num = float(m.group("num").replace(",", ""))
        cur = m.group("cur")
        unit = CURRENCIES.get(cur) if cur else None
        kind = "money" if unit else "cardinal"
        scale_word = (m.group("glued") or m.group("scale") or "").lower()
        end = m.end()
        if scale_word:
            if scale_word in _LETTER_SCALES and not cur:
                # "5m" without a currency: metres or minutes, not millions
                end = m.start("glued")
                scale_word = ""
            else:
                num *= SCALES[scale_word]
        if m.group("pct"):
            unit, kind = "percent", "percent"
        elif m.group("ord"):
            kind = "ordinal"
        if m.group("neg") and start == m.start():
            num = -num
        after = _CUR_WORD_AFTER.match(text[end:])
        if after and not unit:
            unit, kind = CURRENCY_WORDS[after.group(1).lower()], "money"
            end += after.end()
        # trim trailing spaces the optional groups may have eaten
        while end > start and text[end - 1].isspace():
            end -= 1
        found.append(FoundNumber(start, end, text[start:end], num, unit, kind))
        taken.append((start, end))
    for m in WORD_NUMBER.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        words = re.split(r"[\s-]+", m.group().lower())
        got = _word_value(words)
        if got is None:
            continue
        value, kind = got
        if words == ["second"] or words == ["a", "second"]:
            continue  # too often the unit of time or "a second attack"; ambiguous
        s, e = m.start(), m.end()
        # a following scale word in digits-free text is included above; a following digit
        # number ("two 5-year terms") is left alone
        found.append(FoundNumber(s, e, text[s:e], value, None, kind))
    found.sort(key=lambda f: f.start)
    return found
