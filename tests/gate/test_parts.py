"""The gate's parts on their own: config, inventory, acknowledgements, version rule, policy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from specguard.errors import ConfigError
from specguard.gate import (
    Ack,
    GateConfig,
    append_ack,
    known_rules,
    load_acks,
    load_config,
    major_bumped,
    parse_acks,
    parse_inventory,
)
from specguard.gate._policy import consumer_impact
from specguard.gate._work import Outcome
from specguard.model import Direction, Finding, Level, Location, Operation

RULES = known_rules()


def test_config_from_pyproject(tmp_path: Path) -> None:
    """[tool.specguard] sets every key; kebab-case keys map to the config fields."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specguard]\ninventory = "api/services.json"\nfail-on = "warning"\n'
        'downgrade-unconsumed = true\nexclude-paths = ["/internal/*"]\n'
        '[tool.specguard.levels]\n"version-not-bumped" = "off"\n"ack-unused" = "breaking"\n'
    )
    config = load_config(tmp_path, RULES)
    assert config.inventory == "api/services.json"
    assert config.fail_on is Level.WARNING
    assert config.downgrade_unconsumed
    assert config.exclude_paths == ("/internal/*",)
    assert config.level_of("version-not-bumped", Level.BREAKING) is None
    assert config.level_of("ack-unused", Level.WARNING) is Level.BREAKING
    assert config.overrides() == {"ack-unused": Level.BREAKING}


def test_config_from_yaml_and_defaults(tmp_path: Path) -> None:
    """specguard.yaml is read when present; with no config at all, defaults apply."""
    assert load_config(tmp_path, RULES) == GateConfig()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path, RULES) == GateConfig()
    (tmp_path / "specguard.yaml").write_text("fail-on: never\nacks: acks.yaml\n")
    config = load_config(tmp_path, RULES)
    assert config.fail_on is None and config.acks == "acks.yaml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("fail-on: sometimes\n", "fail-on must be breaking, warning or never"),
        ("levels: {operation-removed: loud}\n", "must be breaking, warning, safe or off"),
        ("exclude-paths: /internal\n", "list of glob strings"),
        ("inventroy: x.json\n", "did you mean 'inventory'"),
        ("- a\n- b\n", "must be a mapping"),
        ("services: [{name: a}]\n", "has no 'spec' path"),
        ("deprecation-days: 30\n", "must map beta and stable"),
        ("deprecation-days: {alpha: 3}\n", "unknown stability level 'alpha'"),
        ("deprecation-days: {stable: -1}\n", "whole number of days"),
        ("deprecation-days: {stable: true}\n", "whole number of days"),
        ("deprecation-days: {beta: '31'}\n", "whole number of days"),
        ("deprecation_days: {beta: 31}\n", "did you mean 'deprecation-days'"),
    ],
)
def test_config_errors_are_one_line(tmp_path: Path, content: str, message: str) -> None:
    """Each invalid setting is a ConfigError naming the file and the fix."""
    (tmp_path / "specguard.yaml").write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, RULES)
    assert message in caught.value.one_line()
    assert "specguard.yaml" in caught.value.one_line()


def test_config_in_two_places_is_an_error(tmp_path: Path) -> None:
    """Two configurations would leave it unclear which one gates; refuse."""
    (tmp_path / "specguard.yaml").write_text("fail-on: warning\n")
    (tmp_path / "pyproject.toml").write_text('[tool.specguard]\nfail-on = "never"\n')
    with pytest.raises(ConfigError, match="both"):
        load_config(tmp_path, RULES)


def test_inventory_of_the_seed_format() -> None:
    """The seed's fields parse; unknown extra fields (role, publishes) are tolerated."""
    inventory = parse_inventory(
        b'{"version": 1, "services": [{"name": "a", "spec": "specs/a.yaml", "role": "gateway",'
        b' "mayCall": ["b"], "consumes": {"b": ["getB"]}, "publishes": ["x"]},'
        b' {"name": "b", "spec": "specs/b.yaml"}]}',
        "inv.json",
    )
    assert [s.name for s in inventory.callers("b")] == ["a"]
    assert inventory.services[0].uses("b") == ("getB",)
    assert inventory.services[0].uses("c") is None
    with pytest.raises(ConfigError, match="listed twice"):
        parse_inventory(
            b'{"services": [{"name": "a", "spec": "x"}, {"name": "a", "spec": "y"}]}', "inv.json"
        )


def test_acks_parse_with_lines_and_reject_bad_entries() -> None:
    """Entries carry their line; a bad fingerprint or a duplicate is refused."""
    raw = (
        b"# comment\nacks:\n  - fingerprint: operation-removed:0123456789abcdef\n"
        b"    reason: r\n    approved-by: a\n    expires: 2026-01-31\n"
    )
    (ack,) = parse_acks(raw, "acks.yaml")
    assert ack.expires == dt.date(2026, 1, 31) and ack.line == 3
    assert ack.expired(dt.date(2026, 2, 1)) and not ack.expired(dt.date(2026, 1, 31))
    with pytest.raises(ConfigError, match="not a finding fingerprint"):
        parse_acks(raw.replace(b"0123456789abcdef", b"xyz"), "acks.yaml")
    with pytest.raises(ConfigError, match="twice"):
        parse_acks(raw + raw[raw.index(b"  - ") :], "acks.yaml")
    assert parse_acks(b"# nothing acknowledged yet\n", "acks.yaml") == ()


def test_append_ack_keeps_comments_and_recovers_from_odd_files(tmp_path: Path) -> None:
    """Appending keeps what is there; a file it cannot extend in place is rewritten whole."""
    path = tmp_path / "acks.yaml"
    first = Ack("operation-removed:0123456789abcdef", "why: because", "alice", dt.date(2026, 1, 1))
    second = Ack("schema-removed:fedcba9876543210", "reason #2", "bob", dt.date(2026, 2, 1))
    append_ack(path, "acks.yaml", first)
    path.write_text("# keep me\n" + path.read_text())
    append_ack(path, "acks.yaml", second)
    assert path.read_text().startswith("# keep me\n")
    assert [a.fingerprint for a in load_acks(path, "acks.yaml")] == [
        first.fingerprint,
        second.fingerprint,
    ]
    path.write_text(
        "acks: [{fingerprint: 'operation-removed:0123456789abcdef', reason: r, "
        "approved-by: a, expires: 2026-01-01}]\n"
    )
    append_ack(path, "acks.yaml", second)
    assert len(load_acks(path, "acks.yaml")) == 2
    with pytest.raises(ConfigError, match="already acknowledged"):
        append_ack(path, "acks.yaml", second)


@pytest.mark.parametrize(
    ("old", "new", "bumped"),
    [
        ("1.4.2", "2.0.0", True),
        ("1.4.2", "1.5.0", False),
        ("v2", "v3", True),
        ("0.3.1", "0.4.0", True),
        ("0.3.1", "0.3.9", False),
        ("2024-01", "2024-02", False),
        ("latest", "next", None),
    ],
)
def test_major_bump(old: str, new: str, bumped: bool | None) -> None:
    """Semver majors (0.x: minors) count as bumps; non-semver versions are undecidable."""
    assert major_bumped(old, new) is bumped


def _break(*ops: Operation) -> Finding:
    return Finding(
        "operation-removed",
        Level.BREAKING,
        Direction.NONE,
        "removed",
        ops,
        None,
        Location("x.yaml", "/paths", 1),
        service="stock",
    )


def test_consumer_impact_downgrade_needs_complete_knowledge() -> None:
    """Downgrade only when every caller declares what it uses and none uses the operation."""
    op = Operation("get", "/stock")
    outcome = Outcome("stock", None, None, None, ((op, "getStock"),))
    config = GateConfig(downgrade_unconsumed=True)
    declared = parse_inventory(
        b'{"services": [{"name": "orders", "spec": "o", "mayCall": ["stock"],'
        b' "consumes": {"stock": ["reserve"]}}, {"name": "stock", "spec": "s"}]}',
        "i",
    )
    downgraded = consumer_impact(_break(op), outcome, declared, config)
    assert downgraded.level is Level.WARNING and downgraded.consumers == ()
    undeclared = parse_inventory(
        b'{"services": [{"name": "orders", "spec": "o", "mayCall": ["stock"]},'
        b' {"name": "stock", "spec": "s"}]}',
        "i",
    )
    kept = consumer_impact(_break(op), outcome, undeclared, config)
    assert kept.level is Level.BREAKING and kept.consumers == ("orders",)
    public = parse_inventory(
        b'{"services": [{"name": "orders", "spec": "o", "mayCall": ["stock"],'
        b' "consumes": {"stock": ["reserve"]}},'
        b' {"name": "stock", "spec": "s", "role": "gateway"}]}',
        "i",
    )
    assert consumer_impact(_break(op), outcome, public, config).level is Level.BREAKING
    no_id = Outcome("stock", None, None, None, ())
    assert consumer_impact(_break(op), no_id, declared, config).consumers == ("orders",)
