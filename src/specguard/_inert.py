"""One sanitiser for every human-readable output of every command (text, logs, PR comments).

Anything a spec, a HAR file or a service's response says is untrusted: a line break would let
it forge a line of its own (a ``::error::`` workflow command in a CI log), a control character
would drive the reader's terminal. Both are shown as visible escapes instead.
"""

from __future__ import annotations

import re

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INLINE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def one_line(text: str) -> str:
    """``text`` as one inert line: line breaks and control characters shown as escapes."""
    return _ANY_CONTROL.sub(_visible, text)


def block(text: str) -> str:
    """``text`` keeping its line breaks and tabs (a response body); other control characters
    (terminal escape sequences) shown as escapes."""
    return _INLINE_CONTROL.sub(_visible, text)
