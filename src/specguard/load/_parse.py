"""Parse YAML/JSON text into plain JSON values, keeping enough to find source lines later.

YAML goes through libyaml's composer (C) when available and is then constructed here,
iteratively, so that we can (1) record the line of every mapping key and sequence item as we
go at no extra pass, (2) reject duplicate keys, (3) keep aliases shared instead of copied and
(4) refuse tags that construct objects. JSON goes through :func:`json.loads` (C) and its
lines are found lazily, only for the pointers that end up in a finding.

Input is untrusted, so parsing also enforces limits that keep later stages safe: nesting
depth (:data:`MAX_NESTING`), alias expansion (no billion laughs, no recursive aliases),
numbers Python can convert, no NaN/Infinity and no unpaired surrogates in JSON strings.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from specguard._collector import collector_paused
from specguard.errors import LoadError

if TYPE_CHECKING:
    import yaml


@functools.cache
def _yaml_loader() -> Any:
    """libyaml's loader (much faster), else the pure-Python one; imported for YAML only (a
    JSON pair does not pay the 10 ms)."""
    try:
        from yaml import CSafeLoader
    except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
        from yaml import SafeLoader

        return SafeLoader
    return CSafeLoader

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_MAX_INT_BITS = 13_300  # about 4,000 decimal digits (Python prints at most 4,300)
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

# Child lines per container, keyed by id(container): mapping -> {key: line}, list -> [line].
LineTable = dict[int, Any]

# Aliases share one value, but anything that serialises or walks values expands them again;
# a few lines of YAML can stand for 10**9 nodes. Allow generous reuse, refuse bombs.
_MIN_EXPANSION_BUDGET = 1_000_000
_EXPANSION_PER_CHAR = 4
# Real specs nest about 25 levels deep. Everything downstream that compares or serialises
# values recurses in C (==, json.dumps) on top of the differ's own recursion, so documents
# are held to a depth that keeps the sum far below Python's recursion limit.
MAX_NESTING = 256
# Lone surrogates (\ud800) in JSON strings cannot be written out as UTF-8 later.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def decode_text(raw: bytes, name: str) -> str:
    """The document's text (a UTF-8 byte-order mark dropped); non-UTF-8 or NUL bytes are
    refused with their line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=name,
            line=line,
            hint="OpenAPI documents must be UTF-8",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise LoadError("binary data (NUL byte) in document", file=name, line=line)
    return text


def parse_bytes(raw: bytes, name: str, *, json_duplicates_checked_elsewhere: bool = False
                ) -> tuple[Any, str, LineTable | None]:
    """Parse a document. Returns (data, text, yaml line table or None for JSON).

    ``json_duplicates_checked_elsewhere``: a JSON object's repeated key is not looked for (the
    last one wins): another process parses the same bytes with the check (a fifth less time).
    """
    # no reference cycles to collect: recursive aliases are refused
    with collector_paused():
        return _parse_bytes(raw, name, not json_duplicates_checked_elsewhere)


def _parse_bytes(raw: bytes, name: str, duplicates: bool = True
                 ) -> tuple[Any, str, LineTable | None]:
    text = decode_text(raw, name)
    if not text.strip():
        raise LoadError("empty document", file=name, hint="expected an OpenAPI mapping")
    stripped = text.lstrip()
    if name.endswith(".json") or stripped[:1] in ("{", "["):
        try:
            data = _json_loads_bounded(text, name, duplicates)
        except _RepeatedKey as exc:
            raise LoadError(f"duplicate key {exc.key!r}", file=name,
                            line=_repeated_key_line(text), hint="each key may appear once"
                            ) from None
        except json.JSONDecodeError as exc:
            if name.endswith(".json"):
                raise LoadError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno) from None
            # A YAML flow mapping can start with '{' too; let YAML have a go.
        except RecursionError:
            raise _too_deep(name, None) from None
        except ValueError as exc:  # integers beyond Python's digit limit
            raise LoadError(f"invalid JSON: {_short(exc)}", file=name) from None
        else:
            if _SURROGATE_ESCAPE.search(text):
                _reject_surrogates(data, name)
            return data, text, None
    data, lines = _parse_yaml(text, name)
    return data, text, lines


def _too_deep(name: str, line: int | None) -> LoadError:
    return LoadError(
        f"document nested more than {MAX_NESTING} levels deep",
        file=name,
        line=line,
        hint="real OpenAPI documents nest a few dozen levels; this looks like hostile input",
    )


def _json_loads_bounded(text: str, name: str, duplicates: bool = True) -> Any:
    """``json.loads`` that refuses documents nested deeper than :data:`MAX_NESTING`.

    The C scanner counts one recursion level per nested array or object, so lowering the
    recursion limit to (current depth + MAX_NESTING) for the call bounds the nesting at no
    cost; measuring the depth in Python instead would cost a pass over the whole document.
    The limit is process-wide while the call runs; specguard loads documents on one thread.
    """
    import sys

    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    previous = sys.getrecursionlimit()
    # json.loads -> decode -> raw_decode, and the object hook, are Python frames too.
    sys.setrecursionlimit(depth + MAX_NESTING + 5)
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates if duplicates else None,
            parse_constant=_no_constant(name),
            parse_float=_finite_float(name),
        )
    finally:
        sys.setrecursionlimit(previous)


def _short(exc: BaseException) -> str:
    return str(exc).split(";")[0]


def _no_constant(name: str) -> Callable[[str], Any]:
    def hook(constant: str) -> Any:
        raise LoadError(f"invalid JSON: {constant} is not a JSON number", file=name)

    return hook


def _finite_float(name: str) -> Callable[[str], float]:
    def hook(literal: str) -> float:
        number = float(literal)
        if not math.isfinite(number):  # 1e400: valid JSON text, but no number a tool can use
            raise LoadError(f"invalid JSON: {literal[:40]} is beyond any floating-point number",
                            file=name)
        return number

    return hook


def _reject_surrogates(data: Any, name: str) -> None:
    """Refuse strings with unpaired UTF-16 surrogates (valid JSON escapes, invalid text)."""
    stack = [data]
    while stack:
        value = stack.pop()
        items: Any = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        for item in items:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise LoadError(
                        "string with an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)",
                        file=name,
                        hint="OpenAPI documents must be valid Unicode",
                    ) from None
            elif isinstance(item, (dict, list)):
                stack.append(item)


class _RepeatedKey(Exception):
    """A JSON object wrote ``key`` twice (its line is looked for once the parser gave up)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, refusing a key written twice."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return result


def _repeated_key_line(text: str) -> int | None:
    """The line of the repeated key the parser refused: the second writing of the first key
    repeated in the first object to close that repeats one (the parser checks each object as
    it closes, its keys in order).

    Only on that error path: a walk in Python over every object (values other than objects
    and arrays are skipped by the C scanner), with its own stack (no recursion limit).
    """
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
    ws = _WS.match
    # per open container: is it an object, the keys seen, the first repeated key's offset
    stack: list[tuple[bool, set[str], list[int]]] = []
    position = ws(text, 0).end()  # type: ignore[union-attr]
    try:
        while True:
            char = text[position]
            if char in "{[":
                stack.append((char == "{", set(), []))
                position = ws(text, position + 1).end()  # type: ignore[union-attr]
            elif char in "}]":
                is_object, _, repeated = stack.pop()
                if is_object and repeated:
                    at = repeated[0]
                    return text.count("\n", 0, at) + 1
                if not stack:
                    return None
                position = ws(text, position + 1).end()  # type: ignore[union-attr]
            elif char == ",":
                position = ws(text, position + 1).end()  # type: ignore[union-attr]
            elif char == '"' and stack and stack[-1][0]:  # a key: its value is taken with it
                found, end = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
                _, seen, repeated = stack[-1]
                if found in seen and not repeated:
                    repeated.append(position)
                seen.add(found)
                position = ws(text, end).end()  # type: ignore[union-attr]  # the colon
                position = ws(text, position + 1).end()  # type: ignore[union-attr]
                if text[position] not in "{[":
                    _, position = scan(text, position)
                    position = ws(text, position).end()  # type: ignore[union-attr]
            else:  # a scalar value: the C scanner steps over it
                _, position = scan(text, position)
                position = ws(text, position).end()  # type: ignore[union-attr]
    except (IndexError, ValueError, StopIteration):
        return None


def _parse_yaml(text: str, name: str) -> tuple[Any, LineTable]:
    import yaml

    loader = _yaml_loader()(text)
    budget = max(_MIN_EXPANSION_BUDGET, _EXPANSION_PER_CHAR * len(text))
    try:
        return _construct(loader, name, budget)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise LoadError(f"invalid YAML: {problem}", file=name, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if exc.position < len(text) else None
        raise LoadError(
            f"invalid YAML: {exc.reason} (character #x{exc.character:04x})", file=name, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML: {' '.join(str(exc).split())}", file=name) from None
    finally:
        loader.dispose()


def _scalar(node: yaml.ScalarNode, loader: Any, name: str) -> Any:
    """A JSON value for a resolved YAML scalar (object tags refused)."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return loader.construct_yaml_bool(node)
    if tag in (_INT, _FLOAT):
        line = node.start_mark.line + 1
        try:
            if tag == _INT:
                number = loader.construct_yaml_int(node)
                if number.bit_length() > _MAX_INT_BITS:
                    # a 100,000-digit hex literal: no JSON tool could print it back
                    raise LoadError("invalid number: more than 4,000 digits", file=name,
                                    line=line)
                return number
            number = loader.construct_yaml_float(node)
        except ValueError as exc:  # e.g. integers beyond Python's digit limit
            raise LoadError(f"invalid number: {_short(exc)}", file=name, line=line) from None
        if not math.isfinite(number):
            raise LoadError(f"invalid number: {node.value} is not a JSON number",
                            file=name, line=line)
        return number
    if tag == _TIMESTAMP:
        # OpenAPI is JSON: dates are strings (format: date), not datetime objects.
        return node.value
    raise LoadError(
        f"unsupported YAML tag {tag!r}",
        file=name,
        line=node.start_mark.line + 1,
        hint="OpenAPI documents may only contain JSON values",
    )


_NO_KEY: Any = object()
_MERGE_KEY: Any = object()


@dataclass(slots=True)
class _Open:
    """A mapping or sequence being built: its value, key or item lines, the key awaiting its
    value, and the merge-key ('<<') sources seen in it."""

    value: Any
    line: int
    lines: Any
    key: Any = _NO_KEY
    key_line: int = 0
    merges: list[Any] = field(default_factory=list)


def _construct(loader: Any, name: str, budget: int) -> tuple[Any, LineTable]:
    """Build JSON values straight from the parser's events, sharing aliased values.

    No node graph is kept: libyaml's nodes cost ~150 times the text of a flow sequence (a
    12 MB document took 2 GB), the values built here a small multiple of it. When aliases
    were used, the result is checked for cycles and for an expanded size beyond ``budget``
    nodes (alias bombs) before anyone walks it.
    """
    import yaml

    lines: LineTable = {}
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, line it was defined on)
    stack: list[_Open] = []
    shared = False
    copied = 0
    root: Any = _NO_KEY

    def place(value: Any, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        if type(top.value) is list:
            top.value.append(value)
            top.lines.append(line)
            return
        if top.key is _MERGE_KEY:
            top.merges.append(value)
        else:
            top.value[top.key] = value
            top.lines[top.key] = top.key_line
        top.key = _NO_KEY

    def expects_key() -> bool:
        if not stack:
            return False
        top = stack[-1]
        return top.key is _NO_KEY and type(top.value) is dict

    def take_key(key: Any, line: int) -> None:
        top = stack[-1]
        if key is not _MERGE_KEY and key in top.value:
            raise LoadError(
                f"duplicate key {key!r}",
                file=name,
                line=line,
                hint="each key may appear once; YAML does not let the last one win here",
            )
        top.key, top.key_line = key, line

    def merge(top: _Open) -> None:
        nonlocal copied
        sources: list[Any] = []
        for given in top.merges:
            sources.extend(given if isinstance(given, list) else [given])
        for source in sources:
            if not isinstance(source, dict):
                raise LoadError("merge key '<<' needs a mapping", file=name, line=top.line)
            # a chain of n merges copies n^2/2 keys (800 KB of YAML took 4 GB): the copies
            # count against the same budget as alias expansion
            copied += len(source)
            if copied > budget:
                raise LoadError(
                    f"YAML merge keys ('<<') copy more than {budget:,} entries",
                    file=name,
                    line=top.line,
                    hint="a chain of merges grows quadratically; this looks like hostile input",
                )
            for key, item in source.items():
                top.value.setdefault(key, item)

    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        raise LoadError("empty document", file=name, hint="expected an OpenAPI mapping")
    loader.get_event()  # document start
    # one pass per event of a large document: names bound here, events told apart by their
    # exact classes (the C and Python parsers both make them), scalars first (most common)
    get_event, resolve, scalar_node = loader.get_event, loader.resolve, yaml.ScalarNode
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    document_end = yaml.DocumentEndEvent
    while True:
        event = get_event()
        kind = type(event)
        if kind is document_end:
            break
        line = event.start_mark.line + 1
        if kind is scalar_event:
            tag = event.tag
            if expects_key():
                # a key is its text; only a plain "<<" can be the merge key
                if (tag is None or tag == "!") and event.value == "<<":
                    tag = resolve(scalar_node, event.value, event.implicit)
                take_key(_MERGE_KEY if tag == _MERGE else event.value, line)
                if event.anchor:
                    anchors[event.anchor] = (event.value, line)
                continue
            if tag is None or tag == "!":
                tag = resolve(scalar_node, event.value, event.implicit)
            # a transient node for the constructors; the marks are only read for errors
            node = scalar_node(tag, event.value, event.start_mark, event.end_mark)
            value = _scalar(node, loader, name)
            if event.anchor:
                anchors[event.anchor] = (value, line)
            place(value, line)
        elif kind is alias_event:
            if event.anchor not in anchors:
                raise LoadError(f"invalid YAML: found undefined alias {event.anchor!r}",
                                file=name, line=line)
            # an alias stands for its anchored value, which is where errors about it point
            value, line = anchors[event.anchor]
            shared = True
            if expects_key():
                if not isinstance(value, str):
                    raise LoadError("mapping key is not a scalar", file=name, line=line)
                take_key(value, line)
            else:
                place(value, line)
        elif kind is mapping_start or kind is sequence_start:
            if expects_key():
                raise LoadError("mapping key is not a scalar", file=name, line=line)
            mapping = kind is mapping_start
            tag = event.tag
            if tag is not None and tag != "!" and tag != (_MAP if mapping else _SEQ):
                raise LoadError(f"unsupported YAML tag {tag!r}", file=name, line=line)
            if len(stack) >= MAX_NESTING:
                raise _too_deep(name, line)
            value = {} if mapping else []
            if event.anchor:
                anchors[event.anchor] = (value, line)
            place(value, line)
            stack.append(_Open(value, line, {} if mapping else []))
        else:  # the end of a mapping or sequence
            top = stack.pop()
            # compact: the lines of a mapping's keys in key order (a dict per mapping took
            # 2.9x the file size on stripe's spec; an array takes a tenth of that)
            lines[id(top.value)] = array(
                "L", top.lines.values() if isinstance(top.lines, dict) else top.lines
            )
            if top.merges:
                merge(top)
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.peek_event()
        raise LoadError("invalid YAML: expected a single document in the stream", file=name,
                        line=event.start_mark.line + 1)
    if shared:
        _check_expansion(root, lines, name, budget)
    return root, lines


def _check_expansion(root: Any, lines: LineTable, name: str, budget: int) -> None:
    """Refuse recursive aliases, alias bombs and aliases that nest too deep.

    Sizes and heights are counted as if aliases were copies, visiting each shared value once.
    """
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    on_path: set[int] = set()
    # (value, leaving?, parent container, key or index in it, depth) — the parent gives the
    # line.
    stack: list[tuple[Any, bool, Any, Any, int]] = [(root, False, None, None, 1)]
    while stack:
        value, leaving, parent, token, depth = stack.pop()
        ident = id(value)
        if leaving:
            on_path.discard(ident)
            total = height = 1
            for child in value.values() if isinstance(value, dict) else value:
                if isinstance(child, (dict, list)):
                    total += sizes[id(child)]
                    height = max(height, heights[id(child)] + 1)
                else:
                    total += 1
            if depth + height - 1 > MAX_NESTING:
                raise _too_deep(name, _child_line(lines, parent, token))
            if total > budget:
                raise LoadError(
                    f"YAML aliases expand to more than {budget:,} nodes",
                    file=name,
                    line=_child_line(lines, parent, token),
                    hint="this looks like an alias bomb ('billion laughs'); "
                    "inline the repeated parts or use $ref",
                )
            sizes[ident] = total
            heights[ident] = height
            continue
        if ident in sizes:
            continue
        if ident in on_path:
            raise LoadError(
                "recursive YAML alias (a node contains itself)",
                file=name,
                line=_child_line(lines, parent, token),
                hint="JSON values cannot contain themselves; use $ref for recursive schemas",
            )
        on_path.add(ident)
        stack.append((value, True, parent, token, depth))
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in pairs:
            if isinstance(child, (dict, list)) and id(child) not in sizes:
                stack.append((child, False, value, key, depth + 1))


def _line_of(table: Any, node: Any, token: Any) -> int | None:
    """The line of ``node[token]`` from ``node``'s entry in a line table: lines in key (or
    item) order; keys a merge ('<<') added come after them and have none."""
    if table is None:
        return None
    if isinstance(node, dict):
        try:
            index = list(node).index(token)
        except ValueError:
            return None
    elif isinstance(token, int):
        index = token
    else:
        return None
    return int(table[index]) if 0 <= index < len(table) else None


def _child_line(lines: LineTable, parent: Any, token: Any) -> int | None:
    if parent is None:
        return 1
    return _line_of(lines.get(id(parent)), parent, token)


def decode_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer (``/a/b~1c``) into unescaped tokens."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(pointer)
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def encode_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def yaml_line(data: Any, lines: LineTable, pointer: str) -> int | None:
    """The line of the node at ``pointer``, from the table built while constructing YAML."""
    node = data
    line: int | None = 1
    for token in decode_pointer(pointer):
        table = lines.get(id(node))
        if isinstance(node, dict):
            if token not in node:
                return line
            found = _line_of(table, node, token)
            node = node[token]
        elif isinstance(node, list):
            try:
                index = int(token)
                node = node[index]
            except (ValueError, IndexError):
                return line
            found = int(table[index]) if table is not None and 0 <= index < len(table) else None
        else:
            return line
        line = found if found is not None else line
    return line


_WS = re.compile(r"[ \t\n\r]*")
_LINE_BLOCK = 1 << 12
# a key as json.dumps(ensure_ascii=False) writes it, without building an encoder per call
_quoted: Callable[[str], str] = json.encoder.encode_basestring
# how a JSON value of each parsed type can begin
_FIRST_CHARS: dict[type, str] = {
    dict: "{",
    list: "[",
    str: '"',
    bool: "tf",
    type(None): "n",
    int: "-0123456789",
    float: "-0123456789NI",
}


@functools.lru_cache(maxsize=256)
def _pretty_pattern(outer: str, inner: str, child: str, closer: str) -> re.Pattern[str]:
    """A line of an indented container: a child at ``outer + inner``, or the closer."""
    return re.compile("\n" + outer + "(?:(" + inner + child + ")|" + re.escape(closer) + ")")


# A document written with a fixed indent of spaces: the opener, a newline, then the indent.
_PRETTY = re.compile(r"[ \t\r\n]*[{\[]\n( +)[^ ]")


# What a JsonLocator indexed: containers by offset (laid out with a fixed indent, by the
# scanner) and the newlines before each block of the text.
Index = tuple[dict[int, Any], dict[int, Any], list[int]]


class JsonLocator:
    """Finds lines of JSON pointers in JSON text lazily, scanning each container once.

    Parsing positions for the whole document up front would cost a Python-speed pass over
    megabytes; findings touch a few hundred pointers, so we scan only the containers on
    their paths (skipping sibling values with the C scanner) and cache what we saw.
    """

    def __init__(self, text: str, data: Any) -> None:
        self._text = text
        self._data = data
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
        self._children: dict[int, dict[str, tuple[int, int]] | list[int]] = {}
        self._block_lines: list[int] = [0]  # newlines before each block counted so far
        indent = _PRETTY.match(text)
        self._indent = len(indent.group(1)) if indent else 0
        self._pretty: dict[int, dict[str, tuple[int, int]] | list[int] | None] = {}

    def warm(self, depth: int) -> Index:
        """Index every container down to ``depth`` (the big ones, ``/paths`` and
        ``/components/schemas``, cost most of all lookups) and return what was indexed, for
        :meth:`adopt` in another process that holds the same text."""
        stack: list[tuple[Any, list[str]]] = [(self._data, [])]
        while stack:
            node, tokens = stack.pop()
            if len(tokens) > depth or not node or not isinstance(node, dict | list):
                continue
            keys = list(node) if isinstance(node, dict) else [str(i) for i in range(len(node))]
            with contextlib.suppress(ValueError, StopIteration, IndexError, RecursionError):
                self._position([*tokens, keys[0]])  # indexes this container
            if len(tokens) < depth:
                values = node.values() if isinstance(node, dict) else node
                stack.extend((value, [*tokens, key])
                             for key, value in zip(keys, values, strict=True)
                             if isinstance(value, dict | list))
        self._line_at(len(self._text))  # the newlines of every block, counted ahead
        return dict(self._pretty), dict(self._children), list(self._block_lines)

    def adopt(self, index: Index) -> None:
        """Take containers another locator indexed over the same text (see :meth:`warm`)."""
        pretty, children, block_lines = index
        self._pretty.update(pretty)
        self._children.update(children)
        if len(block_lines) > len(self._block_lines):
            self._block_lines = list(block_lines)

    def line(self, pointer: str) -> int | None:
        try:
            position = self._position(decode_pointer(pointer))
        except (ValueError, StopIteration, IndexError, RecursionError):
            return None
        return self._line_at(position)

    def _position(self, tokens: list[str]) -> int:
        """Offset of the key (or item) the pointer names; the deepest existing one.

        In JSON written with a fixed indent (``json.dumps(indent=n)``, most published specs)
        a key at depth d is the only thing that can start a line with d*n spaces and a quote
        (strings cannot hold raw newlines), and its container ends at the first line with
        (d-1)*n spaces and a bracket: such containers are indexed without parsing (the parsed
        object's keys found in order, else a regular expression over its lines), and each
        index is checked against the parsed node. From the first container laid out otherwise
        (compact, inline, mixed) down, the C scanner indexes them instead. Either index is
        cached per container.
        """
        position = _WS.match(self._text, 0).end()  # type: ignore[union-attr]
        best = position
        pretty = self._indent > 0
        node = self._data
        for depth, token in enumerate(tokens):
            children = self._pretty_children(position, depth, node) if pretty else None
            if children is None:
                pretty = False
                children = self._children.get(position)
                if children is None:
                    children = self._children[position] = self._scan_container(position)
            if isinstance(children, dict):
                if token not in children:
                    return best
                best, position = children[token]
                node = node.get(token) if isinstance(node, dict) else None
            else:
                index = int(token)  # ValueError for a non-index, as a pointer must not be
                if not 0 <= index < len(children):
                    return best
                best = position = children[index]
                node = node[index] if isinstance(node, list) and index < len(node) else None
        return best

    def _pretty_children(
        self, position: int, depth: int, node: Any
    ) -> dict[str, tuple[int, int]] | list[int] | None:
        if position in self._pretty:
            return self._pretty[position]
        text = self._text
        opener = text[position]
        if opener not in "{[" or text[position + 1 : position + 2] != "\n":
            return None
        closer = "}" if opener == "{" else "]"
        outer = " " * (depth * self._indent)
        inner = " " * self._indent
        if isinstance(node, dict):
            keys = self._find_keys(position, outer + inner, "\n" + outer + closer, node)
            if keys is not None:
                self._pretty[position] = keys
                return keys
        # one pass over the container: each line at the child indent starts a child, the first
        # line at the container's own indent closes it
        child = r'("(?:[^"\\]|\\.)*")[ \t]*:' if opener == "{" else r"(?=[^ \]}\r\n])"
        lines = _pretty_pattern(outer, inner, child, closer)
        result: dict[str, tuple[int, int]] | list[int] = {} if opener == "{" else []
        starts: list[int] = []
        closed = False
        for match in lines.finditer(text, position):
            if match.start() != position + 1 and not starts:
                break  # the first line inside is not at the child indent: laid out otherwise
            if match.group(1) is None:
                closed = True
                break
            if isinstance(result, dict):
                raw = match.group(2)
                key = raw[1:-1] if "\\" not in raw else json.loads(raw)
                value = _WS.match(text, match.end()).end()  # type: ignore[union-attr]
                result.setdefault(key, (match.start(2), value))
            else:
                value = match.end()
                result.append(value)
            starts.append(value)
        if not (closed and self._agrees(result, starts, node)):
            self._pretty[position] = None
            return None
        self._pretty[position] = result
        return result

    def _find_keys(
        self, position: int, margin: str, closing: str, node: dict[str, Any]
    ) -> dict[str, tuple[int, int]] | None:
        """The parsed object's keys, found in order with ``str.find`` (several times faster
        than a regular expression over a container of megabytes, like ``/paths``).

        None when a key is written with escapes, or anything does not fit: the regular
        expression decides then.
        """
        text = self._text
        found: dict[str, tuple[int, int]] = {}
        starts: list[int] = []
        cursor = position
        for key in node:
            plain = "\n" + margin + _quoted(key)
            at = text.find(plain, cursor)
            while at >= 0:  # the key, then the colon (``"key": 1`` or ``"key" : 1``)
                colon = _WS.match(text, at + len(plain)).end()  # type: ignore[union-attr]
                if text.startswith(":", colon):
                    break
                at = text.find(plain, at + 1)
            if at < 0:
                return None
            if not found and at != position + 1:
                return None
            key_start = at + 1 + len(margin)
            value = _WS.match(text, colon + 1).end()  # type: ignore[union-attr]
            found[key] = (key_start, value)
            starts.append(value)
            cursor = value
        end = text.find(closing, cursor)
        if end < 0 or (not node and end != position + 1):
            return None
        return found if self._agrees(found, starts, node) else None

    def _agrees(
        self, result: dict[str, tuple[int, int]] | list[int], starts: list[int], node: Any
    ) -> bool:
        """Does an index found by indentation name exactly the parsed container's children?

        A container indented unlike the rest of the file would lend its inner lines to the
        index; the keys (or the count) and the kind of every value must match the parsed node,
        else the scanner decides.
        """
        if isinstance(result, dict):
            if not isinstance(node, dict) or result.keys() != node.keys():
                return False
            values = [node[key] for key in result]
        else:
            if not isinstance(node, list) or len(result) != len(node):
                return False
            values = node
        if len(starts) != len(values):
            return False  # a key written twice
        text = self._text
        return all(
            text[start] in _FIRST_CHARS[type(value)]
            for start, value in zip(starts, values, strict=True)
        )

    def _line_at(self, offset: int) -> int:
        # Newlines counted per block (C speed), as far into the text as a query has reached,
        # then within one block per query: a list of every newline offset of a 12 MB document
        # costs more than all the lookups together.
        text, counts = self._text, self._block_lines
        block = offset // _LINE_BLOCK
        while len(counts) <= block:
            start = (len(counts) - 1) * _LINE_BLOCK
            counts.append(counts[-1] + text.count("\n", start, start + _LINE_BLOCK))
        start = block * _LINE_BLOCK
        return counts[block] + text.count("\n", start, offset) + 1

    def _scan_container(self, start: int) -> dict[str, tuple[int, int]] | list[int]:
        text = self._text
        ws = _WS.match
        opener = text[start]
        index = ws(text, start + 1).end()  # type: ignore[union-attr]
        if opener == "{":
            keys: dict[str, tuple[int, int]] = {}
            while text[index] != "}":
                key_start = index
                key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
                index = ws(text, index).end() + 1  # type: ignore[union-attr]  # past ':'
                index = ws(text, index).end()  # type: ignore[union-attr]
                keys[key] = (key_start, index)
                _, index = self._scan(text, index)
                index = ws(text, index).end()  # type: ignore[union-attr]
                if text[index] == ",":
                    index = ws(text, index + 1).end()  # type: ignore[union-attr]
            return keys
        if opener == "[":
            items: list[int] = []
            while text[index] != "]":
                items.append(index)
                _, index = self._scan(text, index)
                index = ws(text, index).end()  # type: ignore[union-attr]
                if text[index] == ",":
                    index = ws(text, index + 1).end()  # type: ignore[union-attr]
            return items
        raise ValueError("not a container")
