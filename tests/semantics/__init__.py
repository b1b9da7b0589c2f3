"""Tests of the semantic judge (specguard.semantics)."""
