"""Corpus precision guard: snapshots and reviewed labels of specguard's findings on real specs."""
