"""Actors: who a noun phrase names, as a CAMEO-style actor code.

A code is a country slot (ISO 3166-1 alpha-3, or IGO / NGO / IMG / MNC for international
bodies), then a sector (GOV, MIL, REB, ...), then for named groups a group code: `RUSGOV`,
`IRNMIL`, `LBNREBHEZ`, `IGOUNO`. The dictionary is two packaged files, `data/places.toml`
(countries, demonyms, capitals and seats of government) and `data/actors.toml` (sector
words, organisations, people with dated roles), plus any file a user passes in the shape of
`actors.toml`, whose entries are added and win over the packaged ones.
"""

from __future__ import annotations

import re
from newstrace.compat import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

INTERNATIONAL = ("IGO", "NGO", "IMG", "MNC")
# CAMEO's own country codes where they differ from ISO 3166-1 alpha-3 (older CAMEO data and
# actor dictionaries use them): read as the ISO code wherever a code is read.
CAMEO_COUNTRIES = {"JAP": "JPN", "ITL": "ITA", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "GER": "DEU",
                   "YUG": "SRB", "VTN": "VAT"}
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9.&\-]*[A-Z0-9.]$")


@dataclass(slots=True)
class Actor:
    code: str  # "RUSGOV"
    country: str | None  # country slot: ISO-3, or IGO / NGO / IMG / MNC
    sector: str | None
    name: str  # canonical: the person's, organisation's or country's name
    text: str  # as written
    start: int
    end: int
    how: str  # person, organisation, country, seat, city, title, sector, named, pronoun, implicit
    group: str | None = None

    def to_json(self) -> dict[str, Any]:
        country = None if self.country in INTERNATIONAL else self.country  # ISO-3 or null
        return {"code": self.code or None, "country": country, "sector": self.sector, "group": self.group,
                "name": self.name, "text": self.text, "start": self.start, "end": self.end,
                "resolved_from": self.how}


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    code: str
    country: str | None
    sector: str | None


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    title: str
    start: str  # ISO date, "YYYY-MM" or "YYYY"; "" when unknown
    end: str  # "" while in office


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    roles: tuple[Role, ...]

    def role_on(self, day: str | None) -> Role | None:
        """The role held on `day` (ISO date); without a date, or if none fits, the latest one."""
        if not self.roles:
            return None
        if day:
            held = [r for r in self.roles if (not r.start or r.start <= day) and (not r.end or day < _pad(r.end))]
            if held:
                return max(held, key=lambda r: r.start)
            # nearest in time
            return min(self.roles, key=lambda r: _gap(r, day))
        return max(self.roles, key=lambda r: (not r.end, r.start))


def _pad(d: str) -> str:
    """An end date at month or year precision covers the whole month or year."""
    return d + "-99" if len(d) == 7 else d + "-99-99" if len(d) == 4 else d


def _gap(r: Role, day: str) -> int:
    def num(s: str) -> int:
        parts = (s + "-01-01")[:10].split("-")
        return int(parts[0]) * 372 + int(parts[1]) * 31 + int(parts[2])
    d = num(day)
    a = num(r.start) if r.start else -10**9
    b = num(r.end) if r.end else 10**9
    return 0 if a <= d <= b else min(abs(d - a), abs(d - b))


@dataclass(slots=True)
class ActorTable:
    countries: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # lower -> (iso3, name, kind)
    orgs_exact: dict[str, Org] = field(default_factory=dict)  # acronyms, case-sensitive
    orgs: dict[str, Org] = field(default_factory=dict)  # lower
    people: dict[str, Person] = field(default_factory=dict)  # lower full name or alias
    sectors: dict[str, str] = field(default_factory=dict)  # lower phrase -> sector
    country_names: dict[str, str] = field(default_factory=dict)  # iso3 -> name
    cities: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # lower -> (iso3, name, kind)
    longest: int = 1  # words in the longest key

    def _key_len(self, key: str) -> None:
        self.longest = max(self.longest, len(key.split()))

    def add_places(self, raw: dict[str, Any]) -> None:
        by_name: dict[str, str] = {}
        for c in raw.get("country", ()):
            iso, name = c["iso3"], c["name"]
            by_name[name] = iso
            self.country_names.setdefault(iso, name)
            self._country(name, iso, name, "country")
            for d in c.get("demonyms", ()):
                self._country(d, iso, name, "demonym")
            for s in c.get("seats", ()):
                self._country(s, iso, name, "seat")
        for alias, name in raw.get("aliases", {}).items():
            if name in by_name:
                self._country(alias, by_name[name], name, "country")

    def add_cities(self, text: str, source: str) -> None:
        """Rows of `data/cities.tsv` (name, ISO-3, kind: capital, city or state; population).
        A name that is already a country's word stays the country's; a row whose country the
        places dictionary does not know is skipped."""
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                raise ValueError(f"{source}: line {n} needs a name, an ISO-3 code and a kind")
            name, iso, kind = parts[0].strip(), cameo_country(parts[1].strip()), parts[2].strip()
            low = " ".join(name.lower().split())
            if iso not in self.country_names or low in self.countries:
                continue
            self.cities[low] = (iso, name, kind)
            self._key_len(low)

    def _country(self, key: str, iso: str, name: str, kind: str) -> None:
        low = key.lower().strip()
        if low.startswith("the "):
            low = low[4:]
        self.countries[low] = (iso, name, kind)
        self._key_len(low)

    def add_actors(self, raw: dict[str, Any], source: str) -> None:
        for sector, words in raw.get("sectors", {}).items():
            for w in words:
                key = " ".join(str(w).lower().split())
                self.sectors[key] = str(sector)
                self._key_len(key)
        for i, o in enumerate(raw.get("organisation", ())):
            if "name" not in o or "code" not in o:
                raise ValueError(f"{source}: [[organisation]] entry {i} needs a name and a code")
            code = cameo_code(str(o["code"]))
            org = Org(o["name"], code, cameo_country(o.get("country") or code[:3]), o.get("sector"))
            for key in [o["name"], *o.get("aliases", ())]:
                self._org(str(key), org)
        for i, p in enumerate(raw.get("person", ())):
            if "name" not in p:
                raise ValueError(f"{source}: [[person]] entry {i} needs a name")
            roles = tuple(Role(cameo_code(str(r["code"])), r.get("title", ""), str(r.get("start", "")),
                               str(r.get("end", "")))
                          for r in p.get("roles", ()) if "code" in r)
            person = Person(p["name"], roles)
            for key in [p["name"], *p.get("aliases", ())]:
                low = " ".join(str(key).lower().split())
                self.people[low] = person
                self._key_len(low)

    def _org(self, key: str, org: Org) -> None:
        key = " ".join(key.split())
        if key.lower().startswith("the "):
            key = key[4:]
        if _ACRONYM.match(key) and len(key) <= 12:
            self.orgs_exact[key] = org
            self.orgs_exact[key.replace(".", "")] = org
        else:
            self.orgs[key.lower()] = org
        self._key_len(key)


def read_toml(path: Path | Any, what: str) -> dict[str, Any]:
    """A TOML file (a path or a packaged resource) as a dict; ValueError naming the file and why."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the {what}: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: the {what} is not valid TOML: {exc}") from exc


@cache
def _packaged() -> ActorTable:
    data = resources.files("newstrace.data")
    t = ActorTable()
    t.add_places(read_toml(data.joinpath("places.toml"), "places dictionary"))
    t.add_actors(read_toml(data.joinpath("actors.toml"), "actor dictionary"), "actors.toml")
    t.add_cities(data.joinpath("cities.tsv").read_text("utf-8"), "cities.tsv")
    return t


@cache
def actor_table(extra: Path | None = None) -> ActorTable:
    """The packaged actor dictionary, with a user's file (shape of `actors.toml`) added when given.
    A user's file may also hold `[[country]]` entries and `[aliases]` in the shape of places.toml."""
    base = _packaged()
    if extra is None:
        return base
    t = ActorTable(dict(base.countries), dict(base.orgs_exact), dict(base.orgs), dict(base.people),
                   dict(base.sectors), dict(base.country_names), dict(base.cities), base.longest)
    raw = read_toml(Path(extra), "actor dictionary")
    t.add_places(raw)
    t.add_actors(raw, str(extra))
    return t


def cameo_country(code: str) -> str:
    """An ISO-3 country code for a CAMEO one ("JAP" -> "JPN"); other codes unchanged."""
    return CAMEO_COUNTRIES.get(code, code)


def cameo_code(code: str) -> str:
    """An actor code with CAMEO's own country code at its head made ISO ("JAPGOV" -> "JPNGOV")."""
    return cameo_country(code[:3]) + code[3:] if code[:3] in CAMEO_COUNTRIES else code


def make_code(country: str | None, sector: str | None, group: str | None = None) -> str:
    return f"{country or ''}{sector or ''}{group or ''}"
