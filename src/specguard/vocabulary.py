"""The OpenAPI and JSON Schema words every stage uses: one list each, imported, never copied.

Imports nothing of ours, so the loader, the differ, the judge, lint, fuzz and the gate can all
depend on it without bending the one-way import graph.
"""

from __future__ import annotations

import re

# The operations a Path Item Object may hold (OpenAPI 3.0 and 3.1), in the order the
# specification lists them.
HTTP_METHODS: tuple[str, ...] = ("get", "put", "post", "delete", "options", "head", "patch",
                                 "trace")

# A path template's parameter: ``{id}`` in ``/orders/{id}`` (no slash inside braces).
PATH_PARAMETER = re.compile(r"\{[^}/]*\}")

# The schema combinators.
COMPOSITIONS: tuple[str, ...] = ("allOf", "anyOf", "oneOf")

# Keywords whose value is one schema, a list of schemas or a map of names to schemas
# (JSON Schema 2020-12 and the OpenAPI 3.0 subset). ``items`` as a list (3.0 / draft 4 tuple
# form) is the caller's to handle.
SCHEMA_VALUED: tuple[str, ...] = (
    "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
)
SCHEMA_LISTS: tuple[str, ...] = (*COMPOSITIONS, "prefixItems")
SCHEMA_MAPS: tuple[str, ...] = ("properties", "patternProperties", "dependentSchemas")
# Where reusable schemas are defined inside a schema; they apply only where referenced.
DEFINITION_MAPS: tuple[str, ...] = ("$defs", "definitions")

__all__ = [
    "COMPOSITIONS",
    "DEFINITION_MAPS",
    "HTTP_METHODS",
    "PATH_PARAMETER",
    "SCHEMA_LISTS",
    "SCHEMA_MAPS",
    "SCHEMA_VALUED",
]
