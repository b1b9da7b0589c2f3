"""Keep the secrets a user passed (``-H``, ``--auth``) out of every report.

Every header value given on the command line counts as a secret: we cannot tell an API key
in ``X-Internal`` from a harmless ``X-Env``, and over-redacting costs less than a leaked
token in a CI log. Values are replaced wherever they appear (curl lines, response bodies
that echo them, error messages), along with the credential part of ``Scheme credential``
values and the Base64 form of basic auth.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

REDACTED = "[REDACTED]"

# Shorter values would mangle unrelated text; they are still hidden in header lines.
_MIN_SUBSTRING = 4


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces known secret values, and the values of known secret headers, with a marker."""

    secrets: tuple[str, ...] = ()
    header_names: frozenset[str] = frozenset()

    @classmethod
    def for_credentials(
        cls, headers: Iterable[tuple[str, str]], basic_auth: tuple[str, str] | None = None
    ) -> Redactor:
        """A redactor for the headers and basic-auth pair given on the command line."""
        values: set[str] = set()
        names: set[str] = set()
        for name, value in headers:
            names.add(name.lower())
            values.update(_variants(value))
        if basic_auth is not None:
            user, password = basic_auth
            names.add("authorization")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            values.update({f"{user}:{password}", password, token, f"Basic {token}"})
        kept = (v for v in values if len(v) >= _MIN_SUBSTRING)
        # Longest first, so "Bearer abc" is replaced whole before "abc" is.
        return cls(tuple(sorted(kept, key=lambda v: (-len(v), v))), frozenset(names))

    def text(self, value: str) -> str:
        """``value`` with every secret replaced."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def header(self, name: str, value: str) -> str:
        """The value to show for header ``name``."""
        if name.lower() in self.header_names:
            return REDACTED
        return self.text(value)


def _variants(value: str) -> set[str]:
    value = value.strip()
    found = {value}
    scheme, _, credential = value.partition(" ")
    if credential.strip() and scheme.isalpha():
        found.add(credential.strip())
    return {v for v in found if v}
