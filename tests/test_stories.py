"""Story clustering: the clusterer, the stage, story records, resuming and bounded memory."""

import json
import math
import sqlite3
from collections import Counter

import pytest

from newstrace.runner import AnalyzeOptions, analyze
from newstrace.stories.cluster import FEATURES, StoryClusterer, StoryFeatures, StoryModel

from .helpers import ROOT, read_jsonl

# Two look-alike events in one week (two earthquakes), each told by three outlets, and an
# unrelated story. Invented for these tests.
QUAKE_A = [
    ("quake-a1", "Tremor Desk", "2026-02-03", "Earthquake shakes Lorvane, killing four",
     "A magnitude 6.1 earthquake struck the coastal town of Lorvane early on Tuesday, killing four people "
     "and collapsing two apartment blocks, the Lorvane fire service said. Mayor Edda Quist said rescue "
     "teams were searching the rubble on Harbour Street. The quake was centred 12 km off the Pell Basin."),
    ("quake-a2", "North Coast Post", "2026-02-03", "Four dead as 6.1 quake hits Lorvane",
     "Four people died when an earthquake of magnitude 6.1 hit Lorvane on Tuesday morning. Two apartment "
     "blocks on Harbour Street collapsed, according to the fire service. Mayor Edda Quist asked residents "
     "to stay away from damaged buildings while rescuers worked through the rubble."),
    ("quake-a3", "Tremor Desk", "2026-02-04", "Lorvane counts the cost of Tuesday's earthquake",
     "A day after the magnitude 6.1 earthquake off the Pell Basin, Lorvane's mayor Edda Quist said the "
     "death toll stood at four and that 300 residents had spent the night in the sports hall. Engineers "
     "began inspecting the apartment blocks on Harbour Street."),
]
QUAKE_B = [
    ("quake-b1", "Tremor Desk", "2026-02-07", "Strong earthquake rocks Cadrith highlands",
     "A magnitude 5.4 earthquake rocked the Cadrith highlands on Saturday, damaging the old stone bridge "
     "at Mount Osk and injuring eleven people, the Cadrith regional council said. Council leader Baro "
     "Fenwick said schools in the valley would stay shut on Monday."),
    ("quake-b2", "Valley Courier", "2026-02-07", "Eleven hurt as quake damages Mount Osk bridge",
     "Eleven people were injured when a magnitude 5.4 earthquake struck near Mount Osk in the Cadrith "
     "highlands on Saturday. The old stone bridge was closed, regional council leader Baro Fenwick said, "
     "and valley schools will remain closed on Monday."),
    ("quake-b3", "North Coast Post", "2026-02-08", "Cadrith quake: bridge at Mount Osk to be rebuilt",
     "The stone bridge at Mount Osk damaged in Saturday's magnitude 5.4 earthquake will be rebuilt, Cadrith "
     "council leader Baro Fenwick said on Sunday. The eleven people injured in the highlands quake are "
     "recovering in the Cadrith valley hospital."),
]
OTHER = [
    ("chess-1", "Valley Courier", "2026-02-05", "Teenager wins Cadrith chess open",
     "Sixteen-year-old Mira Tollan won the Cadrith chess open on Thursday, beating the defending champion "
     "in a four-hour final game at the town library."),
]


def _write(folder, items):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "wire.jsonl", "w", encoding="utf-8") as fh:
        for aid, source, day, title, text in items:
            fh.write(json.dumps({"id": aid, "source": source, "published": day, "title": title, "text": text}) + "\n")


def _stories(out):
    by_article = {a["id"]: a["story_id"] for a in read_jsonl(out / "articles.jsonl")}
    return by_article, read_jsonl(out / "stories.jsonl")


def test_look_alike_events_are_separate_stories(tmp_path):
    _write(tmp_path / "in", QUAKE_A + QUAKE_B + OTHER)
    out = tmp_path / "out"
    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))
    story, records = _stories(out)
    assert len({story[a[0]] for a in QUAKE_A}) == 1
    assert len({story[a[0]] for a in QUAKE_B}) == 1
    assert story["quake-a1"] != story["quake-b1"]
    assert story["chess-1"] not in {story["quake-a1"], story["quake-b1"]}
    rec = next(r for r in records if r["id"] == story["quake-b1"])
    assert rec["size"] == 3 and rec["start"] == "2026-02-07" and rec["end"] == "2026-02-08"
    assert rec["first_article_id"] in {"quake-b1", "quake-b2"}
    assert rec["label"] in {a[3] for a in QUAKE_B}
    assert {o["source"]: o["articles"] for o in rec["outlets"]} == {
        "Tremor Desk": 1, "Valley Courier": 1, "North Coast Post": 1}
    names = {e["text"] for e in rec["top_entities"]}
    assert "Baro Fenwick" in names and "Edda Quist" not in names
    assert [m["arrival"] for m in rec["members"]] == sorted(m["arrival"] for m in rec["members"])


def test_rerun_with_more_articles_extends_the_same_stories(tmp_path):
    first, second = tmp_path / "in1", tmp_path / "in2"
    _write(first, QUAKE_A[:2] + QUAKE_B[:1])
    _write(second, QUAKE_A[2:] + QUAKE_B[1:])
    out = tmp_path / "out"
    analyze([str(first)], out, AnalyzeOptions(jobs=1, report=False))
    before, _ = _stories(out)
    analyze([str(first), str(second)], out, AnalyzeOptions(jobs=1, report=False))
    after, records = _stories(out)
    assert {k: after[k] for k in before} == before  # nothing re-placed, ids kept
    assert after["quake-a3"] == before["quake-a1"]
    assert {after["quake-b2"], after["quake-b3"]} == {before["quake-b1"]}
    assert sorted(r["size"] for r in records) == [3, 3]


def test_run_stopped_before_saving_its_state_is_caught_up(tmp_path):
    _write(tmp_path / "in", QUAKE_A + QUAKE_B)
    out = tmp_path / "out"
    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))
    # as if the process had been killed: memberships not covered by a saved state, no state
    db = sqlite3.connect(out / "newstrace.db")
    db.execute("UPDATE story_members SET in_state=0 WHERE article_id LIKE 'quake-b%'")
    db.execute("DELETE FROM story_members WHERE article_id='quake-a3'")
    db.commit()
    db.close()
    result = analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))
    notes = {k: v for st in result.summary.stages for k, v in st.notes.items()}
    assert notes["stored articles not yet in a story, placed first"] == 4
    story, records = _stories(out)
    assert all(story[a[0]] for a in QUAKE_A + QUAKE_B)
    assert story["quake-a3"] == story["quake-a1"]
    assert len({story[a[0]] for a in QUAKE_B}) == 1
    assert sum(r["size"] for r in records) == 6


def test_unreadable_state_is_rebuilt_not_fatal(tmp_path):
    _write(tmp_path / "in", QUAKE_A)
    out = tmp_path / "out"
    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))
    db = sqlite3.connect(out / "newstrace.db")
    db.execute("UPDATE state SET value=? WHERE name='stories.clusterer'", (b"not a pickle",))
    db.commit()
    db.close()
    _write(tmp_path / "in2", QUAKE_B)
    result = analyze([str(tmp_path / "in"), str(tmp_path / "in2")], out, AnalyzeOptions(jobs=1, report=False))
    notes = {k: v for st in result.summary.stages for k, v in st.notes.items()}
    assert notes["story state rebuilt"] == 1
    story, records = _stories(out)
    assert len(records) == 2 and sorted(r["size"] for r in records) == [3, 3]


def test_example_corpus_one_story_for_the_english_spill_reports(tmp_path):
    out = tmp_path / "out"
    analyze([str(ROOT / "examples" / "corpus")], out, AnalyzeOptions(jobs=1, report=False))
    story, records = _stories(out)
    spill = story["harbour-gazette-original"]
    for aid in ("mdd-2026-0303-0412", "tpd-88213", "coastal-herald"):
        assert story[aid] == spill
    biggest = max(records, key=lambda r: r["size"])
    assert biggest["id"] == spill and biggest["size"] >= 6
    # the football report and the library reopening are stories of their own
    singles = [r for r in records if r["size"] == 1]
    assert any("library" in r["label"].lower() for r in singles)


# -- the clusterer on its own ------------------------------------------------------------

def _features(aid, words, entities, day=None):
    return StoryFeatures(aid, Counter(words), Counter(entities), day)


def test_model_names_unknown_features_clearly():
    with pytest.raises(ValueError, match="unknown features: colour"):
        StoryModel(["cos_words", "colour"], [1.0, 1.0], 0.0, 0.5)
    shipped = StoryModel.load()
    assert set(shipped.names) <= set(FEATURES) and 0 < shipped.threshold < 1


def test_stories_age_out_and_memory_stays_bounded():
    c = StoryClusterer(max_idle=20)
    for i in range(300):
        # every article its own topic: each starts a story that nobody joins again
        c.add(_features(f"a{i}", {f"topic{i}": 3, f"place{i}": 2, "report": 1}, {f"person{i}": 1}))
    assert len(c.active) <= 21
    assert len(c.retired) >= 279
    live_keys = set().union(*(s.keys for s in c.active.values()))
    assert set(c.index) == live_keys  # retired stories leave the index


def test_old_stories_retire_by_date():
    c = StoryClusterer(max_idle=10_000, max_idle_days=14)
    c.add(_features("old", {"flood": 3, "river": 2}, {"ambry": 1}, day=20000.0))
    c.add(_features("new", {"election": 3, "vote": 2}, {"tessel": 1}, day=20030.0))
    assert [s.members for s in c.retired] == [["old"]]
    assert math.isclose(c.active[next(iter(c.active))].last_time, 20030.0)


def test_changed_article_gets_a_new_lead_vector(tmp_path):
    _write(tmp_path / "in", QUAKE_A[:1])
    out = tmp_path / "out"
    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))

    def vector():
        db = sqlite3.connect(out / "newstrace.db")
        try:
            return db.execute("SELECT vector FROM article_vectors WHERE article_id='quake-a1'").fetchone()[0]
        finally:
            db.close()

    before = vector()
    aid, source, day, _, _ = QUAKE_A[0]
    _write(tmp_path / "in", [(aid, source, day, "Chess final decided in four hours", OTHER[0][4])])
    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False))
    assert vector() != before  # embedded again from the new text, not the stale one


def test_state_is_saved_during_the_stream_not_only_at_its_end(tmp_path, monkeypatch):
    """A run killed outright replays only the placements since the last saved state."""
    import newstrace.stories.stage as stage

    monkeypatch.setattr(stage, "SAVE_EVERY", 2)
    _write(tmp_path / "in", QUAKE_A + QUAKE_B + OTHER)
    out = tmp_path / "out"
    covered: list[int] = []

    def look(article):  # while the run is going: what a saved state covers, as another reader sees it
        if not covered:
            db = sqlite3.connect(out / "newstrace.db")
            covered.append(db.execute("SELECT COUNT(*) FROM story_members WHERE in_state=1").fetchone()[0])
            db.close()

    analyze([str(tmp_path / "in")], out, AnalyzeOptions(jobs=1, report=False, claims=False), on_article=look)
    assert covered and covered[0] >= 2
    story, records = _stories(out)
    assert len({story[a[0]] for a in QUAKE_A}) == 1 and len({story[a[0]] for a in QUAKE_B}) == 1
