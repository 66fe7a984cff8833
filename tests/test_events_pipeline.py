"""Events through `analyze`: stored, exported (events.jsonl, events.gdelt.tsv), counted, and
coded again when a store analysed without them (or with another actor file) is run again."""

from newstrace.events.gdelt import COLUMNS
from newstrace.runner import AnalyzeOptions, analyze

from .helpers import read_jsonl

STORY = """Coast guard standoff in the Barents Sea
Norway's coast guard detained a Russian fishing trawler on Monday, the Norwegian fisheries ministry said.
Moscow condemned the detention and demanded the immediate release of the crew.
The Russian foreign ministry summoned Norway's ambassador, officials said.
Norway did not release the vessel on Tuesday.
"""


def write(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "standoff.txt").write_text("---\npublished: 2026-02-03\nsource: Polar Wire\n---\n" + STORY, encoding="utf-8")
    return src


def test_events_are_stored_exported_and_counted(tmp_path):
    src, out = write(tmp_path), tmp_path / "out"
    result = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=True, claims=False))
    events = read_jsonl(out / "events.jsonl")
    assert result.totals["events"] == len(events) > 0
    by_code = {(e["code"][:3], e["mode"]): e for e in events}
    detain = by_code[("173", "asserted")]
    assert detain["source"]["code"] == "NORMIL" or detain["source"]["country"] == "NOR"
    assert detain["target"]["country"] == "RUS" and detain["date"] == "2026-02-02"  # the Monday before
    assert by_code[("111", "asserted")]["source"]["code"] == "RUSGOV"  # "Moscow condemned"
    assert any(e["root_code"] == "10" and e["source"]["code"] == "RUSGOV" for e in events)  # demanded release
    assert any(e["negated"] and e["mode"] == "negated" for e in events)  # did not release
    rows = [line.split("\t") for line in (out / "events.gdelt.tsv").read_text("utf-8").splitlines()]
    assert rows and all(len(r) == len(COLUMNS) for r in rows)
    assert len(rows) == len({(e["date"], e["source"]["code"], (e["target"] or {}).get("code"), e["code"])
                             for e in events if e["mode"] == "asserted"})
    html = (out / "report.html").read_text("utf-8")
    assert "RUSGOV" in html and 'id="events"' in html


def test_a_store_without_events_is_coded_again(tmp_path):
    src, out = write(tmp_path), tmp_path / "out"
    first = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False))
    assert first.totals["events"] == 0 and read_jsonl(out / "events.jsonl") == []
    second = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False, claims=False))
    assert second.totals["events"] > 0
    resume = next(s for s in second.summary.stages if s.name == "resume")
    assert any(k.startswith("analysed again") for k in resume.notes)
    third = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False, claims=False))
    assert third.totals["events"] == second.totals["events"]
    assert not any(k.startswith("analysed again") for s in third.summary.stages for k in s.notes)
    # another actor file: coded again, with its entries
    mine = tmp_path / "mine.toml"
    mine.write_text('[[organisation]]\nname = "Polar Wire"\ncode = "NORMED"\ncountry = "NOR"\nsector = "MED"\n',
                    encoding="utf-8")
    fourth = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False, claims=False, actors=str(mine)))
    resume = next(s for s in fourth.summary.stages if s.name == "resume")
    assert any(k.startswith("analysed again") for k in resume.notes)


def test_no_attributions_stores_none_even_when_events_read_the_parse(tmp_path):
    src, out = write(tmp_path), tmp_path / "out"
    result = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False, claims=False, attributions=False))
    assert result.totals["events"] > 0  # the parse ran, for the event coder
    assert result.totals["attributions"] == 0 and read_jsonl(out / "attributions.jsonl") == []
    with_them = analyze([str(src)], tmp_path / "out2", AnalyzeOptions(jobs=1, report=False, claims=False))
    assert with_them.totals["attributions"] > 0  # the same story has some to find
