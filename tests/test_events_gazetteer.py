"""The actor dictionary's places: the gazetteer of cities (data/cities.tsv, built by
scripts/build_gazetteer.py from GeoNames), former country names and CAMEO's own country codes."""

from importlib import resources

import pytest

from newstrace.events.actors import ActorTable, actor_table, cameo_code, cameo_country

# Written for this test: capitals and large cities of every continent, and places wire copy names
# for conflicts, with the country each stands for. The gazetteer must know nearly all of them.
PLACES = {
    "Lagos": "NGA", "Kano": "NGA", "Aleppo": "SYR", "Homs": "SYR", "Mosul": "IRQ", "Basra": "IRQ",
    "Kandahar": "AFG", "Herat": "AFG", "Karachi": "PAK", "Peshawar": "PAK", "Mumbai": "IND",
    "Bombay": "IND", "Kolkata": "IND", "Chennai": "IND", "Shanghai": "CHN", "Guangzhou": "CHN",
    "Osaka": "JPN", "Busan": "KOR", "Surabaya": "IDN", "Davao": "PHL", "Mandalay": "MMR",
    "Saigon": "VNM", "Ho Chi Minh City": "VNM", "Goma": "COD", "Lubumbashi": "COD",
    "Mombasa": "KEN", "Benghazi": "LBY", "Misrata": "LBY", "Alexandria": "EGY", "Casablanca": "MAR",
    "Johannesburg": "ZAF", "Durban": "ZAF", "Kharkiv": "UKR", "Odesa": "UKR", "Donetsk": "UKR",
    "Mariupol": "UKR", "Saint Petersburg": "RUS", "Novosibirsk": "RUS", "Istanbul": "TUR",
    "Izmir": "TUR", "Munich": "DEU", "Hamburg": "DEU", "Marseille": "FRA", "Lyon": "FRA",
    "Milan": "ITA", "Naples": "ITA", "Manchester": "GBR", "Glasgow": "GBR", "Barcelona": "ESP",
    "Porto": "PRT", "Krakow": "POL", "Toronto": "CAN", "Montreal": "CAN", "Chicago": "USA",
    "Los Angeles": "USA", "New York": "USA", "Texas": "USA", "California": "USA",
    "Guadalajara": "MEX", "Medellin": "COL", "Sao Paulo": "BRA", "Rio de Janeiro": "BRA",
    "Cordoba": "ARG", "Sydney": "AUS", "Melbourne": "AUS", "Auckland": "NZL", "Jeddah": "SAU",
    "Aden": "YEM", "Hodeidah": "YEM", "Tabriz": "IRN", "Mashhad": "IRN", "Tel Aviv": "ISR",
    "Haifa": "ISR", "Hebron": "PSE", "Erbil": "IRQ", "Kirkuk": "IRQ", "Juba": "SSD",
    "Omdurman": "SDN", "Timbuktu": "MLI", "Gao": "MLI", "Maiduguri": "NGA", "Kigali": "RWA",
}


def _where(t: ActorTable, name: str) -> str | None:
    low = name.lower()
    hit = t.cities.get(low) or t.countries.get(low)
    return hit[0] if hit else None


def test_the_gazetteer_knows_capitals_and_large_cities():
    t = actor_table()
    got = {name: _where(t, name) for name in PLACES}
    wrong = {n: (g, PLACES[n]) for n, g in got.items() if g is not None and g != PLACES[n]}
    missing = [n for n, g in got.items() if g is None]
    assert not wrong, wrong
    assert len(missing) <= 0.05 * len(PLACES), missing
    assert len(t.cities) > 5000


def test_every_capital_stands_for_its_country():
    t = actor_table()
    rows = [line.split("\t") for line in (resources.files("newstrace.data") / "cities.tsv").read_text("utf-8")
            .splitlines() if line and not line.startswith("#")]
    capitals = [(name, iso) for name, iso, kind, _ in rows if kind == "capital" and iso in t.country_names]
    assert len(capitals) > 150
    # a capital is a seat of government in places.toml or a city of the gazetteer, never another country
    assert [(n, i, _where(t, n)) for n, i in capitals if _where(t, n) != i] == []


def test_a_country_word_stays_the_country():
    t = actor_table()
    # "Georgia" is a US state and a country; "Mexico", "Kuwait" name cities too
    for word, iso in (("georgia", "GEO"), ("mexico", "MEX"), ("kuwait", "KWT"), ("jordan", "JOR")):
        assert t.countries[word][0] == iso
        assert word not in t.cities


def test_common_words_and_unknown_countries_are_not_places():
    t = ActorTable(country_names={"FRA": "France"})
    t.add_cities("# a comment\nNice\tFRA\tcity\t340000\nLyon\tFRA\tcity\t500000\nAtlantis\tXXX\tcity\t1\n",
                 "test.tsv")
    assert set(t.cities) == {"nice", "lyon"}  # the table loads what it is given ...
    assert "nice" not in actor_table().cities  # ... and the packaged gazetteer leaves "Nice" out
    with pytest.raises(ValueError, match="bad.tsv: line 1"):
        ActorTable(country_names={"FRA": "France"}).add_cities("Lyon FRA\n", "bad.tsv")


@pytest.mark.parametrize("old, iso", [("Zaire", "COD"), ("Soviet Union", "RUS"), ("USSR", "RUS"),
                                      ("Yugoslavia", "SRB"), ("Kampuchea", "KHM"), ("Burma", "MMR"),
                                      ("Rhodesia", "ZWE"), ("Czechoslovakia", "CZE"), ("Zairean", "COD"),
                                      ("Kampuchean", "KHM"), ("Soviet", "RUS"), ("Yugoslav", "SRB")])
def test_former_country_names(old, iso):
    assert actor_table().countries[old.lower()][0] == iso


def test_cameo_country_codes_read_as_iso(tmp_path):
    assert cameo_country("JAP") == "JPN" and cameo_country("ZAR") == "COD" and cameo_country("FRA") == "FRA"
    assert cameo_code("JAPGOV") == "JPNGOV" and cameo_code("IGOUNO") == "IGOUNO"
    f = tmp_path / "mine.toml"
    f.write_text('[[organisation]]\nname = "Tokyo Metropolitan Police"\ncode = "JAPCOP"\n'
                 '[[person]]\nname = "Ada Example"\nroles = [{code = "ITLGOV", title = "minister"}]\n', "utf-8")
    t = actor_table(f)
    org = t.orgs["tokyo metropolitan police"]
    assert (org.code, org.country) == ("JPNCOP", "JPN")
    assert t.people["ada example"].roles[0].code == "ITAGOV"
