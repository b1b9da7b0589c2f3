"""Tests of the reference system (src/shop) and of specguard lint on its contracts."""
