"""The event coder's word lists (`data/event_words.toml`), read once.

Speech and light verbs, modals, the nouns that measure or wrap an event, pronouns, the means
of a killing and the codes of request kinds: each list's use is said in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from newstrace.events.actors import read_toml

_FILE = "event_words.toml"
_LISTS = ("speech", "light", "object_control", "target_preps", "measure", "wrappers", "generic_heads",
          "modal_must", "modal_will", "modal_maybe", "aspect", "happen", "pronouns", "relative", "patient_nouns",
          "desire", "reversing", "reciprocal", "mutual")


@dataclass(frozen=True, slots=True)
class EventWords:
    speech: frozenset[str]
    light: frozenset[str]
    object_control: frozenset[str]
    target_preps: tuple[str, ...]  # in order of preference
    measure: frozenset[str]
    wrappers: frozenset[str]
    generic_heads: frozenset[str]
    modal_must: frozenset[str]
    modal_will: frozenset[str]
    modal_maybe: frozenset[str]
    aspect: frozenset[str]
    happen: frozenset[str]
    pronouns: frozenset[str]
    relative: frozenset[str]
    patient_nouns: frozenset[str]
    desire: frozenset[str]
    reversing: frozenset[str]
    reciprocal: frozenset[str]
    mutual: frozenset[str]
    means: dict[str, str]  # word -> CAMEO code of fighting by those means
    kinds: dict[str, str]  # request kind -> CAMEO code when emitted alone


def _words(table: dict[str, Any], key: str, where: str = "") -> list[str]:
    got = table.get(key)
    if not isinstance(got, list) or not all(isinstance(w, str) for w in got):
        raise ValueError(f"newstrace/data/{_FILE}: {where}{key} must be a list of strings")
    return got


def parse(raw: dict[str, Any]) -> EventWords:
    """The word lists of a TOML document in the shape of `event_words.toml`."""
    unknown = sorted(set(raw) - set(_LISTS) - {"means", "kinds"})
    if unknown:
        raise ValueError(f"newstrace/data/{_FILE}: unknown key(s) {', '.join(unknown)}")

    def words(key: str) -> frozenset[str]:
        return frozenset(_words(raw, key))

    means: dict[str, str] = {}
    for code in raw.get("means", {}):
        for w in _words(raw["means"], code, "means."):
            if w in means:
                raise ValueError(f"newstrace/data/{_FILE}: means: {w!r} is listed under {means[w]} and {code}")
            means[w] = code
    return EventWords(
        speech=words("speech"), light=words("light"), object_control=words("object_control"),
        target_preps=tuple(_words(raw, "target_preps")), measure=words("measure"), wrappers=words("wrappers"),
        generic_heads=words("generic_heads"), modal_must=words("modal_must"), modal_will=words("modal_will"),
        modal_maybe=words("modal_maybe"), aspect=words("aspect"), happen=words("happen"),
        pronouns=words("pronouns"), relative=words("relative"), patient_nouns=words("patient_nouns"),
        desire=words("desire"), reversing=words("reversing"), reciprocal=words("reciprocal"), mutual=words("mutual"),
        means=means, kinds={str(k): str(v) for k, v in raw.get("kinds", {}).items()})


@cache
def event_words() -> EventWords:
    """The packaged word lists (read once)."""
    return parse(read_toml(resources.files("newstrace.data").joinpath(_FILE), "event word lists"))


WORDS = event_words()
