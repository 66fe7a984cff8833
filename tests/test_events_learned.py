"""The trained part of the event coder (`events/learned.py`): candidates from the parse, their
features, the packaged model, and how its events reach the records (sentences written for
these tests)."""

import numpy as np
import pytest

from newstrace.commands.events import code_text
from newstrace.events import learned
from newstrace.events.records import coder
from newstrace.language.nlp import load_parser


@pytest.fixture(scope="module")
def parse():
    nlp = load_parser()
    return lambda text: next(iter(nlp(text).sents))


def _pairs(sent):
    return {(c.trigger.text, c.source.text, c.target.text) for c in learned.candidates(sent)}


def test_candidates_follow_subjects_objects_and_pronouns(parse):
    got = _pairs(parse("The Kessler Group has opened a probe into the Lisbon port authority."))
    assert ("opened", "Group", "authority") in got and ("opened", "Group", "probe") in got  # into the probe
    # a pronoun subject stands for the subject of the verb of saying above it
    got = _pairs(parse("Slovakia says it will not accept the refugees."))
    assert ("accept", "Slovakia", "refugees") in got
    # an infinitive inherits its subject; coordinated subjects face each other
    assert ("lift", "Congress", "sanctions") in _pairs(parse("The Congress agreed to lift sanctions on Cuba."))
    assert ("agreed", "Kuwait", "allies") in _pairs(parse("Kuwait and its allies agreed to stage an exercise."))
    # an event noun with an actor of its own
    assert ("threats", "Erdogan", "EU") in _pairs(parse("The move followed threats by Erdogan against the EU."))


def test_features_name_the_trigger_path_rule_and_kinds(parse):
    sent = parse("The Kessler Group has opened a probe into the Lisbon port authority.")
    c = next(c for c in learned.candidates(sent) if c.target.text == "authority")
    f = learned.features(c, coder().lemma, "090", "named", "phrase")
    assert f["t=open"] == 1.0 and f["rule=09"] == 1.0 and f["skind=named"] == 1.0 and f["okind=phrase"] == 1.0
    assert f["path=prep:into/pobj"] == 1.0 and f["first=prep:into"] == 1.0


def test_the_packaged_model_predicts_probabilities():
    model = learned.load_model()
    assert model is not None and 0 < model.threshold < 1
    assert set(model.categories) >= {"ACCUSE", "ASSAULT", "AGREE", "YIELD"}
    assert all(len(code) == 3 and code.isdigit() for code in model.codes.values())
    feats = [{"t=attack": 1.0, "path=dobj": 1.0}, {"t=say": 1.0, "path=prep:with/pobj": 1.0}, {}]
    vec = np.ones(model.dim, np.float32) / np.sqrt(model.dim)
    for vector, vm in ((None, None), (vec, model.vector_model), (vec, "another model")):
        link, cats, gate = model.predict(feats, vector, vm)
        assert gate.shape == (3,) and np.all((gate >= 0) & (gate <= 1))
        assert link.shape == (3,) and cats.shape == (3, len(model.categories))
        assert np.all((link > 0) & (link < 1)) and np.allclose(cats.sum(axis=1), 1.0)
    # the sentence vector is read only with the model it was trained on
    with_vec = model.predict(feats, vec, model.vector_model)[0]
    assert not np.allclose(with_vec, model.predict(feats, vec, "another model")[0])
    assert np.allclose(model.predict(feats, None, None)[0], model.predict(feats, vec, "another model")[0])
    empty = model.predict([], None, None)
    assert empty[0].shape == (0,) and empty[1].shape == (0, len(model.categories)) and empty[2].shape == (0,)


def test_records_say_who_coded_each_event():
    text = "Greece has condemned the detention of two Greek soldiers by the Turkish army."
    events = code_text(text)
    assert events and all(e["coded_by"] in ("rules", "model", "recategorised") for e in events)
    assert all(e["confidence"] is None for e in events if e["coded_by"] == "rules")
    # the rules found the condemnation but no target; the model links one, on the rules' verb
    model = [e for e in events if e["coded_by"] == "model"]
    assert model, events
    for e in model:
        assert 0 < e["confidence"] <= 1 and e["plover"] == "ACCUSE" and e["trigger"]["text"] == "condemned"
        for side in (e["source"], e["target"]):
            assert text[side["start"]:side["end"]] == side["text"]
    # summoning an ambassador: the model, sure it is an accusation, recategorises the rules' request
    events = code_text("Chile summoned the Bolivian ambassador to complain about the remarks.")
    (e,) = [e for e in events if e["source"]["country"] == "CHL"]
    assert e["coded_by"] == "recategorised" and e["plover"] == "ACCUSE" and e["confidence"] >= 0.8


def test_the_model_adds_no_event_where_the_rules_found_none():
    # verbs the dictionary does not hold, between names: the model was trained on political news
    # only, so it does not judge whether something happened
    for text in ("Ruritania's army overran the Freedonian border posts on Tuesday.",
                 "Lionsgate bought Summit Entertainment last year."):
        assert not [e for e in code_text(text) if e["coded_by"] != "rules"]


def test_a_pair_the_rules_linked_is_not_repeated():
    events = code_text("Kenya says it will not accept the refugees.")
    assert len([e for e in events if e["root_code"] == "12"]) == 1, events


def test_without_the_model_the_rules_code_alone():
    c = coder()
    model, c.model = c.model, None
    try:
        events = code_text("Portugal quietly welcomed the return of the stolen paintings from Spain.")
    finally:
        c.model = model
    assert events and all(e["coded_by"] == "rules" for e in events)


def test_training_collects_every_candidate_on_the_original_text():
    c = coder()
    c.collect = []
    try:
        text = "Police  in Lagos   arrested  twelve protesters."  # spaces the normaliser folds
        code_text(text)
        got = list(c.collect)
    finally:
        c.collect = None
    assert got
    for rec in got:
        s0, s1 = rec["source"]
        assert text[s0:s1].strip() and rec["features"] and rec["vector"] is not None
    assert any(text[slice(*r["source"])] == "Police" and text[slice(*r["target"])] == "twelve protesters"
               for r in got), [(text[slice(*r["source"])], text[slice(*r["target"])]) for r in got]
