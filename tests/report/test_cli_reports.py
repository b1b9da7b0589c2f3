"""The report side of ``specguard check`` end to end: links to resolved commits, the GitHub job
summary, the hint that accepts every current break, and ``ack --all-current`` doing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from specguard.cli import main
from tests.gate.support import GitRepo, shop_repo

LINK_BASE = "https://github.com/example/shop/blob"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The shop repository (HEAD~1 v1, HEAD v2) as the working directory."""
    built = shop_repo(tmp_path / "shop")
    monkeypatch.chdir(built.path)
    return built


def test_links_point_at_the_base_and_head_commits(repo: GitRepo) -> None:
    """Old lines link to the base commit's id, new lines to the work tree's HEAD commit: never
    to 'HEAD~1' or 'HEAD', which name other commits once the pull request moves on."""
    base = repo.git("rev-parse", "HEAD~1").strip()
    head = repo.git("rev-parse", "HEAD").strip()
    result = CliRunner().invoke(
        main, ["check", "--base", "HEAD~1", "--format", "markdown", "--link-base", LINK_BASE]
    )
    assert result.exit_code == 1, result.output
    assert f"({LINK_BASE}/{base}/specs/orders.yaml#L" in result.stdout
    assert f"({LINK_BASE}/{head}/specs/orders.yaml#L" in result.stdout
    assert "/blob/HEAD" not in result.stdout


def test_github_format_appends_the_markdown_report_to_the_job_summary(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Annotations go to the log; the job summary gets the whole Markdown report."""
    summary = tmp_path / "summary.md"
    summary.write_text("before\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(main, ["check", "--base", "HEAD~1", "--format", "github"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1].startswith("::notice title=specguard::Gate failed")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("before\n<!-- specguard-report -->\n## ❌ specguard: Gate failed")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    CliRunner().invoke(main, ["check", "--base", "HEAD~1", "--format", "text"])
    assert summary.read_text(encoding="utf-8") == text


def test_check_hints_how_to_accept_every_break_and_ack_all_current_does(repo: GitRepo) -> None:
    """A failed gate prints one line with the command; after it the gate passes."""
    failed = CliRunner().invoke(main, ["check", "--base", "HEAD~1"])
    assert failed.exit_code == 1
    hint = failed.stderr.splitlines()[-1]
    assert hint.startswith("specguard: to accept all ")
    assert "specguard ack --all-current --base 'HEAD~1' --reason" in hint
    accepted = CliRunner().invoke(
        main,
        ["ack", "--all-current", "--base", "HEAD~1", "--reason", "migrated", "--approved-by", "a"],
    )
    assert accepted.exit_code == 0, accepted.output
    count = int(hint.split("accept all ")[1].split(" ")[0])
    assert f"acknowledged {count} findings" in accepted.stderr
    assert (repo.path / "specguard-ack.yaml").read_text().count("fingerprint:") == count
    again = CliRunner().invoke(main, ["check", "--base", "HEAD~1"])
    assert again.exit_code == 0, again.output
    assert "accept all" not in again.stderr


def test_ack_takes_a_fingerprint_or_all_current() -> None:
    """Both, or neither, is a usage error (exit 2)."""
    for args in (["fp:0123456789abcdef", "--all-current"], [], ["--all-current"]):
        result = CliRunner().invoke(
            main, ["ack", *args, "--reason", "r", "--approved-by", "a"]
        )
        assert result.exit_code == 2, (args, result.output)


def test_diff_writes_the_job_summary_and_takes_the_report_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``specguard diff --format github`` fills the job summary too; --per-group and
    --annotations reach the formats."""
    from tests.gate.support import ORDERS_V1

    (tmp_path / "old.yaml").write_text(ORDERS_V1, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: orders, version: 2.0.0}\npaths: {}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(
        main, ["diff", "old.yaml", "new.yaml", "--format", "github", "--annotations", "1"]
    )
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "title=operation-removed%3A 4 changes on 4 operations" in errors[0]
    assert summary.read_text(encoding="utf-8").startswith("<!-- specguard-report -->")
    text = CliRunner().invoke(main, ["diff", "old.yaml", "new.yaml", "--per-group", "1"])
    assert "BREAKING operation-removed: 4 changes on 4 operations" in text.stdout
    assert "  (+3 more in this group" in text.stdout
