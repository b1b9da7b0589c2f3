"""One sanitiser for every human-readable output of every command (text, logs, PR comments),
and the one cleaner for text that goes into XML.

Anything a spec, a HAR file or a service's response says is untrusted: a line break would let
it forge a line of its own (a ``::error::`` workflow command in a CI log), a control character
would drive the reader's terminal. Both are shown as visible escapes (:func:`one_line`,
:func:`block`) or, in one-line report fields, folded and replaced (:func:`flat`). XML 1.0
cannot carry some characters even escaped: :func:`xml_text` shows them as escapes. Markdown
(PR comments, job summaries, fuzz reports) escapes only what forms syntax mid-line:
:func:`md_text`, :func:`md_code`, :func:`md_block`, :func:`md_html`.
"""

from __future__ import annotations

import html
import re

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INLINE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Control characters other than tab, line feed and carriage return (C0, DEL and C1).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
# What XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
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


def unprintable(text: str, replacement: str = "?") -> str:
    """``text`` with control characters other than tab and line breaks replaced."""
    return _UNPRINTABLE.sub(replacement, text)


def flat(text: str) -> str:
    """A one-line report field: runs of line breaks and tabs become one space, other control
    characters ``?``."""
    return unprintable(_BREAKS.sub(" ", text))


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can carry it: the characters it cannot shown as escapes."""
    return _NOT_XML.sub(_visible, text)


# Markdown. Untrusted text always lands mid-line (line breaks are folded first), so only what
# forms syntax there is escaped: emphasis, code, links and images (via '['), tables,
# strikethrough, GitHub math ($), a heading's closing '#', and parentheses (belt and braces
# against "](" links). '.', '-', '+' or '=' only mean something at the start of a line:
# escaping them made "1\.0\.0". '<', '>' and '&' become entities, so that no raw HTML can form;
# a zero-width space after '@' keeps the text from notifying GitHub users or teams.
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]()|~$#])")
_BACKTICKS = re.compile(r"`+")
_NO_MENTION = "@\u200b"


def md_text(value: str) -> str:
    """Untrusted text as inert Markdown: no markup, links, HTML, mentions or line breaks."""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", flat(value))
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("@", _NO_MENTION)


def md_code(value: str, *, in_table: bool = False) -> str:
    """Untrusted text as a code span: literal, whatever backticks or HTML it contains; in a
    table cell '|' is escaped too (GFM splits cells on it even inside code spans)."""
    body = flat(value).replace("@", _NO_MENTION)
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_block(text: str, language: str = "") -> list[str]:
    """A fenced code block (a response body) longer than any backtick run inside ``text``."""
    body = block(text)
    longest = max((len(run) for run in _BACKTICKS.findall(body) if len(run) >= 3), default=2)
    fence = "`" * (longest + 1)
    return [f"{fence}{language}", *body.splitlines(), fence]


def md_html(value: str) -> str:
    """Untrusted text inside raw HTML blocks of Markdown (``<summary>``), where Markdown is not
    parsed."""
    return html.escape(flat(value), quote=True).replace("@", _NO_MENTION)
