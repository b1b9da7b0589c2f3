"""The few git questions the gate asks: which commit, which files exist, what a file says."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from specguard.errors import LoadError

_TIMEOUT = 60


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise LoadError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise LoadError(f"git {args[0]} timed out") from None


def toplevel(path: Path) -> Path:
    """The root of the git work tree containing ``path``."""
    proc = _git(path, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise LoadError(
            "not inside a git repository",
            file=str(path),
            hint="run specguard check inside the repository",
        )
    return Path(proc.stdout.decode().strip())


def resolve(repo: Path, rev: str) -> str:
    """The commit id ``rev`` names; a one-line error when it names none."""
    if rev.startswith("-"):
        raise LoadError(f"invalid revision {rev!r}")
    proc = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if proc.returncode != 0:
        raise LoadError(
            f"unknown revision {rev!r}",
            hint="fetch it first (e.g. git fetch origin main, or checkout with fetch-depth: 0)",
        )
    return proc.stdout.decode().strip()


def existing(repo: Path, rev: str, paths: Iterable[str]) -> set[str]:
    """Which of ``paths`` (relative to the repository root) exist as files at ``rev``."""
    wanted = sorted(set(paths))
    if not wanted:
        return set()
    proc = _git(repo, "ls-tree", "-r", "--name-only", "-z", rev, "--", *wanted)
    if proc.returncode != 0:
        raise LoadError(
            f"git ls-tree failed for {rev!r}: {proc.stderr.decode(errors='replace').strip()}"
        )
    listed = set(proc.stdout.decode(errors="surrogateescape").split("\0"))
    return {path for path in wanted if path in listed}


def read(repo: Path, rev: str, path: str) -> bytes:
    """The content of ``path`` at ``rev``."""
    proc = _git(repo, "show", f"{rev}:{path}")
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise LoadError(
            f"git show failed: {message[-1] if message else 'unknown error'}", file=f"{rev}:{path}"
        )
    return proc.stdout
