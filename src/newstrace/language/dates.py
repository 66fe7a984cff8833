"""Resolve date expressions ("Monday", "last week", "Aug. 5") against the article's date.

Returns ISO 8601 strings at the precision the text gives: a day `2024-08-05`, an ISO week
`2024-W32`, a month `2024-08`, a year `2024`. Weekday names resolve to the closest such day
on or before the article date, the usual reading in news reports of past events; "next"
moves forward. Expressions that need a reference date resolve to None without one.
Written for this project: a small rule set is enough for news and costs microseconds, where
a general date parser costs milliseconds per call.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
          "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
          "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
          "sept": 9, "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
WORD_NUMS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
             "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": None, "few": None}

_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_M})\.?,?(?:\s+(\d{{4}}))?\b", re.I)
_MDY = re.compile(rf"\b({_M})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_MY = re.compile(rf"\b({_M})\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_ONLY = re.compile(rf"^(?:in\s+|last\s+|this\s+|early\s+|late\s+|mid-?)?({_M})\.?$", re.I)
_YEAR = re.compile(r"^(?:(?:in|since|by|until|before|after|from|early|late|mid-?|the year)\s*)?((?:1[89]|20)\d{2})$")
_AGO = re.compile(r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(day|days|week|weeks|month|months|year|years)\s+ago\b", re.I)
_WEEKDAY = re.compile(r"\b(last|next|this|on|past)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", re.I)


def parse_reference(value: str | None) -> date | None:
    """An article's `published` value as a date, or None."""
    if not value:
        return None
    v = value.strip()
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = _ISO.search(v)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _add_months(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + (d.month - 1) + months
    return total // 12, total % 12 + 1


def _closest_year(ref: date, month: int, day: int | None) -> int:
    """The year that puts month/day nearest to the reference date (news looks back, mostly)."""
    best = ref.year
    best_gap = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        d = _safe_date(y, month, day or 15)
        if d is None:
            continue
        gap = abs((d - ref).days)
        if best_gap is None or gap < best_gap:
            best, best_gap = y, gap
    return best


def resolve_date(text: str, ref: date | None) -> str | None:
    """ISO value of the date expression `text`, relative to `ref` (the article's date)."""
    t = " ".join(text.strip().split()).lower()
    if not t:
        return None
    m = _ISO.search(t)
    if m:
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return d.isoformat() if d else None
    for rx, order in ((_DMY, "dmy"), (_MDY, "mdy")):
        m = rx.search(t)
        if m:
            if order == "dmy":
                day, month, year = int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3)
            else:
                month, day, year = MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3)
            if year:
                y = int(year)
            elif ref:
                y = _closest_year(ref, month, day)
            else:
                return None
            d = _safe_date(y, month, day)
            return d.isoformat() if d else None
    m = _MY.search(t)
    if m:
        return f"{int(m.group(2)):04d}-{MONTHS[m.group(1).lower()]:02d}"
    m = _YEAR.match(t)
    if m:
        return m.group(1)
    if ref is None:
        return None
    m = _MONTH_ONLY.match(t)
    if m:
        month = MONTHS[m.group(1).lower()]
        y = ref.year - 1 if t.startswith("last") and month >= ref.month else _closest_year(ref, month, None)
        return f"{y:04d}-{month:02d}"
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", t):
        return ref.isoformat()
    if re.search(r"\b(yesterday|last night)\b", t):
        return (ref - timedelta(days=1)).isoformat()
    if re.search(r"\btomorrow\b", t):
        return (ref + timedelta(days=1)).isoformat()
    m = _AGO.search(t)
    if m:
        n = WORD_NUMS.get(m.group(1), None) if not m.group(1).isdigit() else int(m.group(1))
        if n is None:
            return None
        unit = m.group(2)
        if unit in UNIT_DAYS:
            d = ref - timedelta(days=n * UNIT_DAYS[unit])
            return d.isoformat() if unit.startswith("day") else _week(d)
        if unit.startswith("month"):
            y, mo = _add_months(ref, -n)
            return f"{y:04d}-{mo:02d}"
        return f"{ref.year - n:04d}"
    m = _WEEKDAY.search(t)
    if m:
        which, wd = (m.group(1) or "").lower(), WEEKDAYS[m.group(2).lower()]
        back = (ref.weekday() - wd) % 7
        if which == "next":
            d = ref + timedelta(days=(wd - ref.weekday()) % 7 or 7)
        elif which == "last" and back == 0:
            d = ref - timedelta(days=7)
        else:
            d = ref - timedelta(days=back)
        return d.isoformat()
    for rel, shift in (("last", -1), ("next", 1), ("this", 0), ("earlier this", 0), ("later this", 0)):
        for unit in ("week", "month", "year"):
            if re.search(rf"\b{rel} {unit}\b", t):
                if unit == "week":
                    return _week(ref + timedelta(days=7 * shift))
                if unit == "month":
                    y, mo = _add_months(ref, shift)
                    return f"{y:04d}-{mo:02d}"
                return f"{ref.year + shift:04d}"
    return None
