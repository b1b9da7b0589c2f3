"""Gate configuration: ``specguard.yaml`` or ``[tool.specguard]`` in ``pyproject.toml``.

Keys (all optional)::

    inventory = "specs/service-inventory.json"   # where the services are listed
    acks = "specguard-ack.yaml"                  # acknowledged findings
    fail-on = "breaking"                         # breaking | warning | never
    downgrade-unconsumed = false                 # breaks no known consumer uses -> warning
    exclude-paths = ["/internal/*"]              # URL path globs
    exclude-operations = ["GET /debug/*", "admin*"]  # "METHOD /path" or operationId globs
    services = [{name = "...", spec = "..."}]    # instead of an inventory file
    [tool.specguard.levels]                      # per-rule level: breaking|warning|safe|off
    "version-not-bumped" = "warning"
    [tool.specguard.deprecation-days]            # minimum notice of a deprecation's x-sunset
    beta = 31                                    # per x-stability-level (0: not enforced;
    stable = 180                                 # draft and alpha need none)

Unknown keys are errors with a suggestion: a typo must not silently weaken the gate.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from specguard.errors import ConfigError
from specguard.inventory import ServiceEntry as InventoryService
from specguard.inventory import build_inventory
from specguard.model import Level, LifecyclePolicy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "specguard.yaml"
PYPROJECT = "pyproject.toml"
DEFAULT_INVENTORY = "specs/service-inventory.json"
DEFAULT_ACKS = "specguard-ack.yaml"
OFF = "off"
_KEYS = (
    "inventory",
    "acks",
    "fail-on",
    "downgrade-unconsumed",
    "exclude-paths",
    "exclude-operations",
    "services",
    "levels",
    "deprecation-days",
)
_NOTICE_LEVELS = ("beta", "stable")


@dataclass(frozen=True, slots=True)
class GateConfig:
    """Validated gate settings. ``levels`` maps rule id to a level, or None for "off"."""

    inventory: str = DEFAULT_INVENTORY
    acks: str = DEFAULT_ACKS
    fail_on: Level | None = Level.BREAKING
    downgrade_unconsumed: bool = False
    exclude_paths: tuple[str, ...] = ()
    exclude_operations: tuple[str, ...] = ()
    services: tuple[InventoryService, ...] | None = None
    levels: tuple[tuple[str, Level | None], ...] = ()
    lifecycle: LifecyclePolicy = field(default_factory=LifecyclePolicy)
    source: str | None = None

    def level_of(self, rule_id: str, default: Level) -> Level | None:
        """The configured level of ``rule_id`` (None: switched off)."""
        for name, level in self.levels:
            if name == rule_id:
                return level
        return default

    def overrides(self) -> dict[str, Level]:
        """Level overrides for the rules stage (rules switched off are dropped later)."""
        return {name: level for name, level in self.levels if level is not None}

    def disabled(self) -> frozenset[str]:
        return frozenset(name for name, level in self.levels if level is None)


def _fail_on(value: Any, file: str) -> Level | None:
    if value == "never":
        return None
    if value in ("breaking", "warning"):
        return Level(value)
    raise ConfigError(f"fail-on must be breaking, warning or never, not {value!r}", file=file)


def _globs(value: Any, key: str, file: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of glob strings", file=file)
    return tuple(value)


def _levels(
    value: Any, file: str, known_rules: frozenset[str]
) -> tuple[tuple[str, Level | None], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError("levels must map rule ids to breaking, warning, safe or off", file=file)
    result: list[tuple[str, Level | None]] = []
    for rule_id, level in value.items():
        if rule_id not in known_rules:
            close = difflib.get_close_matches(str(rule_id), sorted(known_rules), n=1)
            raise ConfigError(
                f"unknown rule id {rule_id!r} in levels",
                file=file,
                hint=f"did you mean {close[0]!r}?" if close else "see `specguard rules`",
            )
        if level == OFF:
            result.append((rule_id, None))
        elif level in ("breaking", "warning", "safe"):
            result.append((rule_id, Level(level)))
        else:
            raise ConfigError(
                f"level of {rule_id!r} must be breaking, warning, safe or off, not {level!r}",
                file=file,
            )
    return tuple(result)


def _deprecation_days(value: Any, file: str) -> LifecyclePolicy:
    if not isinstance(value, Mapping):
        raise ConfigError("deprecation-days must map beta and stable to a number of days",
                          file=file)
    days: dict[str, int] = {}
    for level, count in value.items():
        if level not in _NOTICE_LEVELS:
            raise ConfigError(
                f"unknown stability level {level!r} in deprecation-days", file=file,
                hint="beta and stable take a notice; draft and alpha need none")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ConfigError(
                f"deprecation-days {level} must be a whole number of days (0 or more), "
                f"not {count!r}", file=file)
        days[f"deprecation_days_{level}"] = count
    return LifecyclePolicy(**days)


def parse_config(data: Any, file: str, known_rules: frozenset[str]) -> GateConfig:
    """Check a config mapping (already read from TOML or YAML) key by key."""
    if data is None:
        return GateConfig(source=file)
    if not isinstance(data, Mapping):
        raise ConfigError("the configuration must be a mapping", file=file)
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            raise ConfigError(
                f"unknown configuration key {key!r}",
                file=file,
                hint=f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(_KEYS)}",
            )
    settings: dict[str, Any] = {"source": file}
    for key in ("inventory", "acks"):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise ConfigError(f"{key} must be a path", file=file)
            where = PurePosixPath(data[key].replace("\\", "/"))
            if where.is_absolute() or ".." in where.parts or PureWindowsPath(data[key]).drive:
                # the config comes with the pull request: it must not point the gate (or
                # `specguard ack`, which writes there) outside the repository
                raise ConfigError(
                    f"{key} must be a path inside the repository, not {data[key]!r}", file=file
                )
            settings[key] = data[key]
    if "fail-on" in data:
        settings["fail_on"] = _fail_on(data["fail-on"], file)
    if "downgrade-unconsumed" in data:
        if not isinstance(data["downgrade-unconsumed"], bool):
            raise ConfigError("downgrade-unconsumed must be true or false", file=file)
        settings["downgrade_unconsumed"] = data["downgrade-unconsumed"]
    for key in ("exclude-paths", "exclude-operations"):
        if key in data:
            settings[key.replace("-", "_")] = _globs(data[key], key, file)
    if "services" in data:
        if not isinstance(data["services"], list):
            raise ConfigError("services must be a list", file=file)
        settings["services"] = build_inventory(data["services"], file, require_spec=True).services
    if "levels" in data:
        settings["levels"] = _levels(data["levels"], file, known_rules)
    if "deprecation-days" in data:
        settings["lifecycle"] = _deprecation_days(data["deprecation-days"], file)
    return GateConfig(**settings)


def inside(repo: Path, relative: str) -> Path:
    """``repo / relative``, refused when a symbolic link on the way leads out of the
    repository: the files the gate reads (config, inventory, acks) come with the pull request.
    """
    path = repo / relative
    if not path.resolve().is_relative_to(repo.resolve()):
        raise ConfigError("a symbolic link leads outside the repository", file=relative)
    return path


def load_config(
    repo: Path, known_rules: frozenset[str], explicit: Path | None = None
) -> GateConfig:
    """Read ``explicit``, else ``specguard.yaml``, else ``[tool.specguard]``; else defaults."""
    if explicit is not None:
        return _read(explicit, known_rules)
    yaml_file, pyproject = inside(repo, CONFIG_FILE), inside(repo, PYPROJECT)
    in_pyproject = pyproject.is_file() and "specguard" in _pyproject(pyproject).get("tool", {})
    if yaml_file.is_file() and in_pyproject:
        raise ConfigError(
            "configuration found in both specguard.yaml and pyproject.toml",
            file=CONFIG_FILE,
            hint="keep one of them",
        )
    if yaml_file.is_file():
        return _read(yaml_file, known_rules)
    if in_pyproject:
        return _read(pyproject, known_rules)
    return GateConfig()


def load_config_at(
    repo: Path, rev: str, known_rules: frozenset[str], read: Callable[[str], bytes | None]
) -> GateConfig:
    """The configuration as committed at ``rev`` (``read(path)`` gives a file's bytes there,
    None when absent): ``specguard.yaml``, else ``[tool.specguard]``; else defaults."""
    text = read(CONFIG_FILE)
    if text is not None:
        return _parse_yaml(text.decode("utf-8", errors="replace"), f"{rev}:{CONFIG_FILE}",
                           known_rules)
    toml = read(PYPROJECT)
    if toml is not None:
        section = _parse_toml(toml.decode("utf-8", errors="replace"), f"{rev}:{PYPROJECT}")
        specguard = section.get("tool", {}).get("specguard")
        if specguard is not None:
            return parse_config(specguard, f"{rev}:{PYPROJECT} [tool.specguard]", known_rules)
    return GateConfig()


def weakened(
    base: GateConfig, head: GateConfig, defaults: Mapping[str, Level]
) -> list[str]:
    """How ``head`` lets more through than ``base`` (empty: not weaker); ``defaults`` are the
    catalogue's levels of rules a config leaves alone."""
    found: list[str] = []
    strictness = {Level.WARNING: 2, Level.BREAKING: 1, None: 0}
    if strictness[head.fail_on] < strictness[base.fail_on]:
        shown = {None: "never", Level.WARNING: "warning", Level.BREAKING: "breaking"}
        found.append(f"fail-on {shown[base.fail_on]} -> {shown[head.fail_on]}")
    if head.downgrade_unconsumed and not base.downgrade_unconsumed:
        found.append("downgrade-unconsumed turned on")
    for key in ("exclude_paths", "exclude_operations"):
        added = sorted(set(getattr(head, key)) - set(getattr(base, key)))
        if added:
            found.append(f"{key.replace('_', '-')} gains {', '.join(added)}")
    rank = {None: 0, Level.SAFE: 1, Level.WARNING: 2, Level.BREAKING: 3}
    before, after = dict(base.levels), dict(head.levels)
    for name in sorted(before.keys() | after.keys()):
        old = before.get(name, defaults.get(name))
        new = after.get(name, defaults.get(name))
        if rank[new] < rank[old]:
            found.append(f"rule {name} set to {'off' if new is None else new.value}")
    if head.acks != base.acks:
        found.append(f"acks file {base.acks} -> {head.acks}")
    for level in _NOTICE_LEVELS:
        before_days = getattr(base.lifecycle, f"deprecation_days_{level}")
        after_days = getattr(head.lifecycle, f"deprecation_days_{level}")
        if after_days < before_days:
            found.append(f"deprecation-days {level} {before_days} -> {after_days}")
    return found


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", file=file) from None


def _parse_yaml(text: str, file: str, known_rules: frozenset[str]) -> GateConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            "invalid YAML", file=file, line=line + 1 if line is not None else None
        ) from None
    return parse_config(data, file, known_rules)


def _pyproject(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", file=path.name) from None
    return _parse_toml(text, path.name)


def _read(path: Path, known_rules: frozenset[str]) -> GateConfig:
    if not path.is_file():
        raise ConfigError("configuration file not found", file=str(path))
    if path.suffix == ".toml":
        section = _pyproject(path).get("tool", {}).get("specguard")
        return parse_config(section, f"{path.name} [tool.specguard]", known_rules)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", file=str(path)) from None
    return _parse_yaml(text, path.name, known_rules)
