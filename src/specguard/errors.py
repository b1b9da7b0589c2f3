"""specguard's one exception family.

Every error about user input is a :class:`SpecguardError` that knows where it happened and
renders itself as a single line: ``file:line: message (hint)``. The CLI prints that line and
exits with code 2; nothing else should ever reach the user as a traceback.
"""

from __future__ import annotations


class SpecguardError(Exception):
    """Base of every error specguard reports to the user."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        pointer: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.pointer = pointer
        self.hint = hint

    def one_line(self) -> str:
        """The message as one line: where, what, and the likely fix."""
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        if self.hint:
            text += f"; {self.hint}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class LoadError(SpecguardError):
    """The input could not be read or parsed."""


class RefError(SpecguardError):
    """A ``$ref`` is missing, forbidden (outside the root, remote) or malformed."""


class SpecValidationError(SpecguardError):
    """The document is not a valid OpenAPI 3.0/3.1 description."""


class OutputError(SpecguardError):
    """A report could not be written (a folder that cannot be made, a full disk...)."""


class ConfigError(SpecguardError):
    """Configuration, inventory or acknowledgement files are invalid."""
