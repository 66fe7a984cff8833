"""The event coder on sentences written for these tests: codes, actors, directions, modes,
attribution, dates, the user's actor file, the GDELT export and the `newstrace events` command."""

import json

import pytest
from typer.testing import CliRunner

from newstrace.cli import EXIT_ERROR, EXIT_OK, app
from newstrace.events.actors import actor_table
from newstrace.events.gdelt import COLUMNS, gdelt_rows
from newstrace.commands.events import code_text


def one(events, code_prefix, mode="asserted"):
    hits = [e for e in events if e["code"].startswith(code_prefix) and e["mode"] == mode]
    assert hits, [(e["code"], e["mode"], e["trigger"]["text"]) for e in events]
    return hits[0]


def pair(e):
    return (e["source"]["code"] if e["source"] else None, e["target"]["code"] if e["target"] else None)


def test_appeal_for_restraint_names_both_sides():
    e = one(code_text("Russia urged Iran to show restraint after the strike."), "0256")
    assert pair(e) == ("RUS", "IRN")
    assert e["root_code"] == "02" and e["quad_class"] == 1 and e["goldstein"] == -0.3
    assert e["frame"] == "appeal" and e["name"].startswith("Appeal for de-escalation")


def test_threat_of_force_from_a_vow():
    e = one(code_text("Hezbollah vowed to launch retaliatory attacks against Israel."), "138")
    assert pair(e) == ("LBNREBHEZ", "ISR") and e["quad_class"] == 3 and e["plover"] == "THREATEN"


def test_negation_and_expectation_are_not_asserted():
    neg = code_text("Egyptian troops did not attack Libya on Sunday.")
    assert one(neg, "19", mode="negated")["source"]["country"] == "EGY"
    assert not [e for e in neg if e["mode"] == "asserted"]
    hyp = code_text("Iran is expected to attack Israel within days.")
    assert one(hyp, "19", mode="hypothetical")["target"]["country"] == "ISR"
    assert not [e for e in hyp if e["mode"] == "asserted"]


def test_refusal_from_a_negated_promise():
    e = one(code_text("Syria said it will not accept any more refugees from Iraq."), "12")
    assert e["source"]["country"] == "SYR"


def test_denial_is_coded_and_the_denied_event_marked():
    events = code_text("Turkey denied supplying weapons to the rebels in Syria.")
    d = one(events, "016")
    assert d["source"]["country"] == "TUR"
    denied = one(events, "072", mode="denied")
    assert denied["source"]["country"] == "TUR"


def test_reported_speech_is_attributed_and_we_is_the_speaker():
    events = code_text("\u201cWe will never negotiate with Israel,\u201d a Hamas spokesman said on Tuesday.",
                       published="2024-03-07")
    e = events[0]
    assert e["attribution"] and "Hamas" in (e["attribution"]["source"] or "")
    assert e["source"]["country"] == "PSE"
    assert e["date"] == "2024-03-05" and e["date_source"] == "text"  # the Tuesday before the article


def test_coordinated_subjects_make_mutual_events():
    events = [e for e in code_text("Egypt and Jordan signed a trade agreement in Cairo.") if e["mode"] == "asserted"]
    pairs = {(e["source"]["country"], e["target"]["country"]) for e in events if e["code"].startswith("057")}
    assert pairs == {("EGY", "JOR"), ("JOR", "EGY")}


def test_seats_and_titles_resolve_to_governments():
    e = one(code_text("The Kremlin condemned the Polish government on Friday."), "111")
    assert pair(e) == ("RUSGOV", "POLGOV")
    e = one(code_text("Jordan's foreign minister visited Tehran for talks with Iranian officials."), "04")
    assert e["source"]["code"] == "JORGOV" and e["target"]["country"] == "IRN"


def test_people_resolve_by_their_role_on_the_date(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text('''
[[person]]
name = "Ansel Varga"
aliases = ["Varga"]
roles = [
  { code = "HUNMIL", title = "Army chief", start = "2019-01-01", end = "2023-06-30" },
  { code = "HUNGOV", title = "Defence minister", start = "2023-07-01" },
]
[[organisation]]
name = "Coastal Liberation Front"
aliases = ["CLF"]
code = "MLTREBCLF"
country = "MLT"
sector = "REB"
''', encoding="utf-8")
    before = one(code_text("Ansel Varga criticized Serbia.", published="2021-05-01", actors=str(extra)), "111")
    after = one(code_text("Ansel Varga criticized Serbia.", published="2025-05-01", actors=str(extra)), "111")
    assert before["source"]["code"] == "HUNMIL" and after["source"]["code"] == "HUNGOV"
    e = one(code_text("The CLF attacked Italian fishing boats.", actors=str(extra)), "1")
    assert e["source"]["code"] == "MLTREBCLF" and e["source"]["group"] == "CLF"
    assert e["target"]["country"] == "ITA"
    # without the user's file, nobody is found
    assert not [e for e in code_text("The CLF attacked Italian fishing boats.") if e["source"]["group"] == "CLF"]


def test_bad_actor_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[[organisation]]\nname = 'No code'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.toml"):
        actor_table(bad)
    bad.write_text("[[person]\nname=", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        actor_table(bad)


def test_background_sentences_give_no_events():
    for text in ("The river has marked the border for two centuries.",
                 "Inflation in Turkey stood at 4 percent in May.",
                 "The embassy of France is on a quiet avenue in the old town."):
        assert not [e for e in code_text(text) if e["mode"] == "asserted"], text


def test_gdelt_rows_have_the_61_columns_and_count_mentions():
    events = code_text("Russia urged Iran to show restraint. Russia urged Iran to show restraint again.",
                       published="2024-08-06")
    assert len([e for e in events if e["code"] == "0256"]) == 2
    meta = {"text": {"source": "Test Wire", "url": "https://example.org/a", "published": "2024-08-06",
                     "input_path": "a.txt"}}
    rows = gdelt_rows(events, meta.get)
    assert len(COLUMNS) == 61 and all(len(r) == 61 for r in rows)
    row = dict(zip(COLUMNS, next(r for r in rows if r[COLUMNS.index("EventCode")] == "0256")))
    assert row["SQLDATE"] == "20240806" and row["Actor1Code"] == "RUS" and row["Actor2CountryCode"] == "IRN"
    assert row["EventRootCode"] == "02" and row["QuadClass"] == "1" and row["GoldsteinScale"] == "-0.3"
    assert row["NumMentions"] == "2" and row["NumArticles"] == "1" and row["SOURCEURL"] == "https://example.org/a"


def test_events_command_prints_events_and_json(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["events", "Russia urged Iran to show restraint.", "--json"])
    assert res.exit_code == EXIT_OK, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert rows and rows[0]["code"] == "0256"
    f = tmp_path / "story.txt"
    f.write_text("Hezbollah vowed to launch retaliatory attacks against Israel.", encoding="utf-8")
    res = runner.invoke(app, ["events", str(f)])
    assert res.exit_code == EXIT_OK and "1384" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text("not toml [", encoding="utf-8")
    res = runner.invoke(app, ["events", "Russia urged Iran to show restraint.", "--actors", str(bad)])
    assert res.exit_code == EXIT_ERROR and "bad.toml" in res.output


def test_events_command_names_a_missing_file(tmp_path):
    res = CliRunner().invoke(app, ["events", str(tmp_path / "no-such-story.txt")])
    assert res.exit_code == EXIT_ERROR and "no-such-story.txt: no such file" in res.output


def test_armed_sides_that_clash_fight_and_protesters_that_clash_riot():
    # "clash with" is a fight (190) between armed sides; with the police it is a violent protest (145)
    fight = one(code_text("Rebels clashed with Congolese troops in a gun battle."), "19")
    assert pair(fight) == ("CODREB", "CODMIL") and fight["plover"] == "ASSAULT"
    riot = one(code_text("Demonstrators clashed with Egyptian police on Friday."), "145")
    assert pair(riot) == ("EGYOPP", "EGYCOP")
