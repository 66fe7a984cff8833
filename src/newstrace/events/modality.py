"""The mode of an event: asserted, negated ("did not attack"), hypothetical ("is expected
to attack", "may strike", "is going to strike", "if"), attempted ("tried to"), or a frame's: "will attack" is a
threat, "will send aid" an intent, "will not accept" a refusal.
"""

from __future__ import annotations

from typing import Any

from newstrace.events.codes import EXPRESS_INTENT, MATERIAL_CONFLICT, PROMISABLE, root_of
from newstrace.events.dictionary import Dictionary
from newstrace.events.triggers import Found, Lemmas, going_to, uncompose
from newstrace.events.words import WORDS


class Modality:
    """Sets the mode of the event a token heads from the words around it."""

    def __init__(self, words: Dictionary, lemmas: Lemmas) -> None:
        self.words = words
        self.lemma = lemmas.lemma

    def apply(self, tok: Any, found: Found) -> None:
        """Set the mode of the event `tok` heads; "will" and a negation may change its code."""
        words = self.words
        for c in tok.children:
            low = c.lower_
            if c.dep_ == "neg":
                found.mode = "negated"
            elif c.dep_ == "aux" and low in WORDS.modal_maybe:
                found.mode = "hypothetical" if found.mode == "asserted" else found.mode
            elif c.dep_ == "aux" and low in WORDS.modal_will and found.frame is None and found.code.isdigit():
                root = root_of(found.code)
                if root in PROMISABLE:
                    found.code, found.frame = self.words.compose_code("intent", found.code), "modal"
                elif root in MATERIAL_CONFLICT:
                    found.code, found.frame = self.words.compose_code("threaten", found.code), "modal"
            elif c.dep_ == "mark" and low in ("if", "whether", "unless"):
                found.mode = "hypothetical"
        # governed by "expected", "likely", "may": not (yet) happened
        h, steps = tok, 0
        while h.dep_ in ("xcomp", "ccomp", "acomp", "advcl") and steps < 3:
            h = h.head
            steps += 1
            lem = self.lemma(h)
            if lem in words.hypothetical or (steps == 1 and going_to(h)):  # "is going to strike": not yet
                found.mode = "hypothetical"
            elif lem in words.attempt and found.mode == "asserted":
                found.mode = "attempted"
        for c in tok.children:
            if c.dep_ == "amod" and self.lemma(c) in words.hypothetical:  # an "expected attack"
                found.mode = "hypothetical"
        if found.mode == "negated" and found.code[:1].isdigit() and (
                found.frame in ("intent", "modal") or any(c.dep_ == "aux" and c.lower_ in WORDS.modal_will
                                                          for c in tok.children)):
            # "will not accept refugees", "would not meet the demands": a refusal
            base = found.inner.code if found.inner is not None else found.code
            if found.frame == "modal" or (found.inner is None and root_of(base) == EXPRESS_INTENT):
                base = uncompose(words, found.code)
            found.code, found.frame, found.mode = self.words.compose_code("reject", base), "reject", "asserted"


def purpose(tok: Any) -> bool:
    """An infinitive that is not governed by a frame: a purpose or a noun's complement."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        return False
    return tok.dep_ in ("advcl", "acl", "relcl")
