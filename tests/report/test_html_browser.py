"""The HTML report in a real headless browser (Debian's chromium + chromedriver via selenium).

One browser session for the module. Skipped, with the reason, where selenium or a browser is
missing (`.ci/run` installs Debian's chromium when it can). A screenshot of the page goes to
``$SPECGUARD_ARTIFACTS`` (default: pytest's temporary folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specguard.model import DiffReport, Direction, Finding, Level, Location, Operation, ServiceInfo
from specguard.report import OutputFormat, RenderOptions, render

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

pytestmark = pytest.mark.slow

SERVICES = ("orders", "stock")
RULES = (
    ("operation-removed", Level.BREAKING),
    ("request-max-length-tightened", Level.BREAKING),
    ("response-enum-value-added", Level.WARNING),
    ("response-property-added", Level.SAFE),
)
PER_RULE = 150  # 4 rules x 2 services x 150 = 1,200 findings


def _findings() -> tuple[Finding, ...]:
    findings = []
    for service in SERVICES:
        for rule_id, level in RULES:
            for i in range(PER_RULE):
                op = Operation("get", f"/{service}/items-{i}")
                pointer = f"/paths/~1{service}~1items-{i}/get"
                findings.append(
                    Finding(
                        rule_id,
                        level,
                        Direction.NONE,
                        f"{rule_id} on item {i} <b>not markup</b>",
                        (op,),
                        Location(f"{service}.yaml", pointer, i + 1),
                        Location(f"{service}.yaml", pointer, i + 2),
                        service=service,
                    ).with_fingerprint()
                )
    return tuple(findings)


REPORT = DiffReport(
    "origin/main",
    "worktree",
    _findings(),
    services=tuple(ServiceInfo(name, f"{name}.yaml", f"{name}.yaml") for name in SERVICES),
)


def _chrome() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module's tests."""
    found = _chrome()
    if found is None:
        pytest.skip("no chromium + chromedriver on PATH (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(found[1]), options=options)
    except WebDriverException as exc:
        pytest.skip(f"chromium did not start: {exc.msg}")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of 1,200 findings written to a file."""
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(REPORT, OutputFormat.HTML, RenderOptions()), encoding="utf-8")
    return path


def _open(driver: Any, page: Path, fragment: str = "") -> None:
    driver.get("about:blank")
    driver.get(page.as_uri() + fragment)
    driver.find_element(By.ID, "shown-count")


def _visible_findings(driver: Any) -> int:
    count: int = driver.execute_script(
        "return Array.from(document.querySelectorAll('.finding'))"
        ".filter(function (el) { return !el.hidden; }).length;"
    )
    return count


def _shown(driver: Any) -> int:
    return int(driver.find_element(By.ID, "shown-count").text)


def test_filters_hide_and_show_the_right_findings(browser: Any, page: Path) -> None:
    """Text, level and service filters hide exactly the findings they exclude; counts follow."""
    _open(browser, page)
    assert _shown(browser) == _visible_findings(browser) == 1200
    groups = browser.find_elements(By.CSS_SELECTOR, "details.group")
    assert len(groups) == 8 and not any(g.get_attribute("open") for g in groups)

    box = browser.find_element(By.ID, "text-filter")
    box.send_keys("/stock/items-12")  # items-12 and items-120..129, four rules
    assert _shown(browser) == _visible_findings(browser) == 4 * 11
    assert browser.find_element(By.ID, "shown-groups").text == "4"
    counts = browser.find_elements(By.CSS_SELECTOR, "details.group:not([hidden]) .group-count")
    assert [c.text for c in counts] == ["11"] * 4
    box.clear()
    box.send_keys("REQUEST-MAX-LENGTH")  # rule ids, case-insensitively
    assert _shown(browser) == 300
    box.clear()
    box.send_keys("~1orders~1items-7/get")  # a JSON pointer
    assert _shown(browser) == 4
    box.clear()
    browser.execute_script(
        "var e = document.getElementById('text-filter'); e.dispatchEvent(new Event('input'));"
    )
    assert _shown(browser) == 1200

    browser.find_element(By.CSS_SELECTOR, ".level-filter[value=safe]").click()
    assert _shown(browser) == _visible_findings(browser) == 900
    safe = browser.find_element(By.CSS_SELECTOR, ".level-count[data-level=safe]")
    assert safe.text == "0"
    Select(browser.find_element(By.ID, "service-filter")).select_by_value("stock")
    assert _shown(browser) == _visible_findings(browser) == 450
    hidden_services = browser.execute_script(
        "return Array.from(document.querySelectorAll('.finding'))"
        ".filter(function (el) { return !el.hidden; })"
        ".map(function (el) { return el.dataset.service; });"
    )
    assert set(hidden_services) == {"stock"}


def test_a_deep_link_opens_the_group_and_scrolls_to_the_finding(
    browser: Any, page: Path
) -> None:
    """``#FINGERPRINT`` opens the collapsed group and brings the finding into view."""
    target = next(f for f in REPORT.findings if f.rule_id == "response-enum-value-added"
                  and f.service == "stock" and f.operations[0].path.endswith("-140"))
    _open(browser, page, "#" + target.fingerprint)
    element = browser.find_element(By.ID, target.fingerprint)
    assert element.is_displayed()
    group = browser.execute_script("return arguments[0].closest('details').open;", element)
    assert group is True
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top;", element)
    assert -2 <= top < browser.execute_script("return window.innerHeight;")  # sub-pixel
    assert "targeted" in (element.get_attribute("class") or "")
    others = browser.find_elements(By.CSS_SELECTOR, "details.group[open]")
    assert len(others) == 1


def test_the_page_logs_no_errors_and_is_captured(
    browser: Any, page: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No console error (a CSP violation would be one); a screenshot is kept as an artifact."""
    _open(browser, page)
    browser.find_element(By.ID, "text-filter").send_keys("items-1")
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    folder = Path(os.environ.get("SPECGUARD_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "html-report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 1000
