"""CAMEO code table: our encoding against the shared reference, derivations, user extensions."""

import csv
from pathlib import Path

import pytest

from newstrace.events.codes import QUAD_NAMES, code_table, lookup, plover_of

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "event-coding" / "cameo_codes.tsv"


def test_table_matches_the_cameo_reference():
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} not found: the CAMEO reference table lives in ../shared beside the clone")
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    ours = code_table()
    for row in rows:
        code = row["code"]
        assert code in ours, f"missing CAMEO code {code}"
        ec = ours[code]
        # GDELT's list has no weight for 1213; there we carry ICEWS's (the parent's) weight.
        expected = row["goldstein_gdelt"] or row["goldstein_icews_repo"]
        assert ec.goldstein == float(expected), code
        assert ec.quad_class == int(row["quad_class"]), code
        assert ec.root == row["root"], code
        plover = row["plover_2021"]
        if "/" in plover:  # a root split between two categories ("CONCEDE/RETREAT"): none of its own
            assert ec.plover is None, code
        elif plover:
            assert ec.plover == plover, code
    assert set(ours) - {r["code"] for r in rows} == set()
    assert len(ours) == len(rows)


def test_root_quad_and_base_follow_from_the_code():
    ec = lookup("0214")
    assert (ec.root, ec.base, ec.quad_class, ec.quad_name) == ("02", "021", 1, "verbal cooperation")
    assert lookup("195").quad_class == 4 and lookup("195").quad_name == "material conflict"
    assert lookup("1384").base == "138" and lookup("1384").quad_class == 3
    assert lookup("07").base == "07" and lookup("07").quad_class == 2
    assert lookup("19").goldstein == -10.0
    assert QUAD_NAMES == {1: "verbal cooperation", 2: "material cooperation",
                          3: "verbal conflict", 4: "material conflict"}
    # every packaged code derives a consistent root, base and quad class
    for code, ec in code_table().items():
        assert ec.code == code and ec.root == code[:2] and ec.base == code[:3]
        assert QUAD_NAMES[ec.quad_class] == ec.quad_name


def test_unknown_code_is_a_clear_key_error():
    with pytest.raises(KeyError, match="unknown CAMEO event code '999'"):
        lookup("999")


def test_plover_of_takes_the_most_specific_category(tmp_path: Path):
    assert plover_of("1384") == "THREATEN"
    assert plover_of("1712") == "ASSAULT"  # its own, not the base code's COERCE
    assert plover_of("0214") is None  # roots 01 and 02 have no PLOVER category
    extra = tmp_path / "more.toml"
    extra.write_text('[[code]]\ncode = "1386"\nname = "Threaten a cyber attack"\ngoldstein = -7.0\n\n'
                     '[[code]]\ncode = "155"\nname = "Hold military exercises"\ngoldstein = -7.2\n',
                     encoding="utf-8")
    table = code_table(extra)
    assert table["1386"].plover is None and plover_of("1386", table) == "THREATEN"  # from 138
    assert table["155"].plover is None and plover_of("155", table) == "MOBILIZE"  # from root 15
    assert plover_of("1547") == "MOBILIZE"  # a code not in the table still gets its base's


def test_extra_file_overrides_and_adds_codes(tmp_path: Path):
    extra = tmp_path / "local_codes.toml"
    extra.write_text('[[code]]\ncode = "0214"\nname = "Ask for intelligence"\ngoldstein = 3.0\nplover = "REQUEST"\n\n'
                     '[[code]]\ncode = "0257"\nname = "Appeal for prisoner exchange"\ngoldstein = -0.3\n',
                     encoding="utf-8")
    table = code_table(extra)
    assert table["0214"].name == "Ask for intelligence" and table["0214"].goldstein == 3.0
    assert table["0214"].plover == "REQUEST"
    assert table["0257"].quad_class == 1 and table["0257"].base == "025"
    assert len(table) == len(code_table()) + 1
    # the packaged table is unchanged by an extra file
    assert lookup("0214").goldstein == 3.4 and "0257" not in code_table()


@pytest.mark.parametrize("entry, problem", [
    ('code = "0214"\ngoldstein = 3.4', "missing name"),
    ('code = "0214"\nname = "x"', "missing goldstein"),
    ('name = "x"\ngoldstein = 1.0', "missing code"),
    ('code = "02145"\nname = "x"\ngoldstein = 1.0', "2 to 4 digits"),
    ('code = 214\nname = "x"\ngoldstein = 1.0', "2 to 4 digits"),
    ('code = "214"\nname = "x"\ngoldstein = 1.0', "root 21 is outside 01-20"),
    ('code = "0011"\nname = "x"\ngoldstein = 1.0', "root 00 is outside 01-20"),
    ('code = "011"\nname = "x"\ngoldstein = "high"', "goldstein must be a number"),
])
def test_malformed_extra_file_names_the_file_and_entry(tmp_path: Path, entry: str, problem: str):
    bad = tmp_path / "bad_codes.toml"
    bad.write_text('[[code]]\ncode = "011"\nname = "Decline comment"\ngoldstein = -0.1\n\n[[code]]\n' + entry + "\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as exc:
        code_table(bad)
    assert "bad_codes.toml" in str(exc.value) and "entry 2" in str(exc.value)


def test_extra_file_that_is_not_toml_names_the_file(tmp_path: Path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[[code]\ncode = ", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.toml"):
        code_table(bad)
