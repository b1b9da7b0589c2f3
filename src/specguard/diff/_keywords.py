"""Every field the differ knows about, and how it treats it.

``JUDGED``: compared by a dedicated step of the differ and judged by a rule.
``ANNOTATION``: carries no validation meaning; changes are ignored.
``CATCH_ALL``: compared as a whole; any change is reported as ``unclassified-change``.

A test checks that every JSON Schema 2020-12 keyword and every OpenAPI 3.1 object field is
listed here, so a new keyword cannot slip through silently.
"""

from __future__ import annotations

import enum


class Handling(str, enum.Enum):
    JUDGED = "judged"
    ANNOTATION = "annotation"
    CATCH_ALL = "catch-all"


J, A, C = Handling.JUDGED, Handling.ANNOTATION, Handling.CATCH_ALL

SCHEMA_KEYWORDS: dict[str, Handling] = {
    # applicators and assertions judged by the schema differ
    "type": J, "enum": J, "const": J, "required": J, "properties": J,
    "additionalProperties": J, "patternProperties": J,
    "minimum": J, "maximum": J, "exclusiveMinimum": J, "exclusiveMaximum": J, "multipleOf": J,
    "minLength": J, "maxLength": J, "pattern": J, "format": J,
    "items": J, "prefixItems": J, "minItems": J, "maxItems": J, "uniqueItems": J,
    "minProperties": J, "maxProperties": J,
    "allOf": J, "anyOf": J, "oneOf": J, "not": J,
    "readOnly": J, "writeOnly": J, "default": J, "deprecated": J, "$ref": J,
    # OpenAPI dialect
    "nullable": J, "discriminator": J,
    "contains": J, "minContains": J, "maxContains": J,
    "dependentRequired": J, "dependentSchemas": J, "propertyNames": J,
    "unevaluatedItems": J, "unevaluatedProperties": J,
    "contentEncoding": J, "contentMediaType": J, "contentSchema": J,
    # assertions compared as a whole
    "if": C, "then": C, "else": C,
    "$dynamicRef": C, "$dynamicAnchor": C, "$id": C, "$anchor": C, "$schema": C,
    "$vocabulary": C,
    # annotations: documentation only
    "title": A, "description": A, "examples": A, "example": A, "$comment": A,
    "$defs": A, "externalDocs": A, "xml": A,
}

OPERATION_FIELDS: dict[str, Handling] = {
    "parameters": J, "requestBody": J, "responses": J, "security": J, "callbacks": J,
    "deprecated": J, "operationId": J,
    "servers": C,
    "tags": A, "summary": A, "description": A, "externalDocs": A,
}

PATH_ITEM_FIELDS: dict[str, Handling] = {
    "get": J, "put": J, "post": J, "delete": J, "options": J, "head": J, "patch": J,
    "trace": J, "parameters": J, "$ref": J,
    "servers": C,
    "summary": A, "description": A,
}

PARAMETER_FIELDS: dict[str, Handling] = {
    "name": J, "in": J, "required": J, "schema": J, "content": J, "style": J, "explode": J,
    "deprecated": J,
    "allowEmptyValue": J, "allowReserved": J,
    "description": A, "example": A, "examples": A,
}

HEADER_FIELDS: dict[str, Handling] = {
    "required": J, "schema": J, "content": J, "style": J, "explode": J, "deprecated": J,
    "description": A, "example": A, "examples": A,
}

REQUEST_BODY_FIELDS: dict[str, Handling] = {
    "content": J, "required": J,
    "description": A,
}

MEDIA_TYPE_FIELDS: dict[str, Handling] = {
    "schema": J, "encoding": J,
    "example": A, "examples": A,
}

RESPONSE_FIELDS: dict[str, Handling] = {
    "content": J, "headers": J,
    "links": A, "description": A,
}

SECURITY_SCHEME_FIELDS: dict[str, Handling] = {
    "type": J, "name": J, "in": J, "scheme": J, "flows": J, "openIdConnectUrl": J,
    "bearerFormat": A, "description": A,
}

DOCUMENT_FIELDS: dict[str, Handling] = {
    "openapi": A, "info": A, "paths": J, "webhooks": J, "components": J, "security": J,
    "servers": C, "tags": A, "externalDocs": A, "jsonSchemaDialect": C,
}

COMPONENTS_FIELDS: dict[str, Handling] = {
    # components matter only where operations reach them; security schemes are compared
    # by name because requirements refer to them by name
    "schemas": A, "responses": A, "parameters": A, "examples": A, "requestBodies": A,
    "headers": A, "links": A, "callbacks": A, "pathItems": A, "securitySchemes": J,
}

OBJECT_TABLES: dict[str, dict[str, Handling]] = {
    "schema": SCHEMA_KEYWORDS,
    "operation": OPERATION_FIELDS,
    "path-item": PATH_ITEM_FIELDS,
    "parameter": PARAMETER_FIELDS,
    "header": HEADER_FIELDS,
    "request-body": REQUEST_BODY_FIELDS,
    "media-type": MEDIA_TYPE_FIELDS,
    "response": RESPONSE_FIELDS,
    "security-scheme": SECURITY_SCHEME_FIELDS,
    "document": DOCUMENT_FIELDS,
    "components": COMPONENTS_FIELDS,
}
