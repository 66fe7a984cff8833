"""Provenance: who copied or rewrote whom, passage by passage (issue 4). No code yet."""
