"""Tests of the dynamic half: fuzz, verify and traffic against real services."""
