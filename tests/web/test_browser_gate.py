"""The README's test command passes on a machine without Chromium: the browser tests skip with the reason,
unless ASPIRASI_REQUIRE_BROWSER (set by .ci/run) makes a missing browser a failure."""

from pathlib import Path

import pytest

from tests.web import test_browser


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A machine where Debian's Chromium is not installed."""
    monkeypatch.setattr(test_browser, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(test_browser, "CHROMEDRIVER", tmp_path / "chromedriver")
    return monkeypatch


def test_missing_browser_skips_with_the_reason(no_browser: pytest.MonkeyPatch) -> None:
    no_browser.delenv("ASPIRASI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium chromium-driver"):
        test_browser.require_browser()


def test_missing_browser_fails_where_required(no_browser: pytest.MonkeyPatch) -> None:
    no_browser.setenv("ASPIRASI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="ASPIRASI_REQUIRE_BROWSER"):
        test_browser.require_browser()


def test_ci_requires_the_browser() -> None:
    script = (Path(__file__).parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "export ASPIRASI_REQUIRE_BROWSER=1" in script
