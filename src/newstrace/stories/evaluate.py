"""Scoring a clustering against gold stories: BCubed (Bagga & Baldwin 1998) and look-alikes.

Used by `benchmarks/stories_ecb.py` and the CI floor test; general, any gold labels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping


def bcubed(pred: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of `pred` (item -> cluster) against `gold`."""
    if not pred:
        return 0.0, 0.0, 0.0
    pc, gc = Counter(pred.values()), Counter(gold[d] for d in pred)
    both = Counter((pred[d], gold[d]) for d in pred)
    p = sum(both[(pred[d], gold[d])] / pc[pred[d]] for d in pred) / len(pred)
    r = sum(both[(pred[d], gold[d])] / gc[gold[d]] for d in pred) / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def lookalike_merges(pred: Mapping[str, str], gold: Mapping[str, str],
                     topic: Mapping[str, str]) -> tuple[float, float]:
    """For topics holding several gold events: (share of topics where one predicted story
    mixes two of its events, share of cross-event pairs of a topic put in one story)."""
    by_topic: dict[str, list[str]] = defaultdict(list)
    for d in pred:
        by_topic[topic[d]].append(d)
    topics = mixed = pairs = merged = 0
    for docs in by_topic.values():
        if len({gold[d] for d in docs}) < 2:
            continue
        topics += 1
        events_in: dict[str, set[str]] = defaultdict(set)
        for d in docs:
            events_in[pred[d]].add(gold[d])
        mixed += any(len(ev) > 1 for ev in events_in.values())
        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                if gold[a] != gold[b]:
                    pairs += 1
                    merged += pred[a] == pred[b]
    return mixed / max(topics, 1), merged / max(pairs, 1)
