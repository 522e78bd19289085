"""The web page in Debian's Chromium: log in by link, filter, open a cluster, answer it, export; axe-core finds
no accessibility violations on any page; a screenshot of each page goes to tests/web/screenshots/ (ignored by git).

The browser is the system's /usr/bin/chromium driven by /usr/bin/chromedriver (`.ci/run` installs both from
Debian). Without it these tests skip with the reason, so the README's test command passes on a fresh machine;
with ASPIRASI_REQUIRE_BROWSER=1 (as `.ci/run` sets) a missing browser is a failure. The app is served by uvicorn
on 127.0.0.1.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.access.weblogin import make_link
from tests.web.seed import ADMIN, KEY, STAFF, City, seed
from tests.web.test_bansos import aid_cluster
from web.app import create_app

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
REQUIRE_BROWSER = "ASPIRASI_REQUIRE_BROWSER"  # set by .ci/run: there a missing browser fails the run
MISSING = "Chromium is missing: apt-get install -y chromium chromium-driver (as .ci/run does)"
SHOTS = Path(__file__).parent / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0, see its README
AXE_RUN = "const done = arguments[arguments.length - 1]; axe.run().then(done, e => done({error: String(e)}));"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[City, str]]:
    """The seeded city (SQLite or PostgreSQL) served by uvicorn on 127.0.0.1 and a free port."""
    port = _free_port()
    city = seed(database_url, tmp_path)
    base = f"http://127.0.0.1:{port}"
    city.config = city.config.model_copy(update={"web": city.config.web.model_copy(update={"base_url": base})})
    server = uvicorn.Server(uvicorn.Config(create_app(config=city.config, engine=city.engine, key=KEY),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        time.sleep(0.05)
    try:
        yield city, base
    finally:
        server.should_exit = True
        thread.join()
        city.engine.dispose()


def require_browser() -> None:
    """Skip (with how to install it) when Debian's Chromium is missing; fail instead under ASPIRASI_REQUIRE_BROWSER."""
    if CHROMIUM.is_file() and CHROMEDRIVER.is_file():
        return
    if os.environ.get(REQUIRE_BROWSER):
        pytest.fail(f"{MISSING}; {REQUIRE_BROWSER} is set, so the browser tests must run")
    pytest.skip(MISSING)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium from Debian's packages; without it a skip, or a failure where it is required."""
    require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--lang=id"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "unduhan"),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def axe_problems(driver: webdriver.Chrome) -> list[tuple[str, str, list[object]]]:
    """Run axe-core on the page; return its violations (rule, help, elements)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(AXE_RUN)
    assert "error" not in result and result["passes"], result  # axe ran and checked something
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def check_page(driver: webdriver.Chrome, name: str) -> None:
    """No axe-core violations (WCAG 2.1 A/AA and best practices), and a full-page screenshot."""
    problems = axe_problems(driver)
    assert problems == [], f"{name}: {problems}"
    SHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1000, int(height)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def go(driver: webdriver.Chrome, element: WebElement) -> None:
    """Click a link or button and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))


def test_login_filter_open_answer_export(live: tuple[City, str], browser: webdriver.Chrome, tmp_path: Path) -> None:
    city, base = live
    browser.get(make_link(config=city.config, key=KEY, user_id=STAFF))
    check_page(browser, "masuk")
    go(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ringkasan"
    check_page(browser, "ringkasan")

    go(browser, browser.find_element(By.LINK_TEXT, "Kelompok"))
    Select(browser.find_element(By.ID, "f-forum")).select_by_value("bontang-utara")
    browser.find_element(By.ID, "f-late").click()
    go(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "forum=bontang-utara" in browser.current_url and "terlambat=1" in browser.current_url
    assert "1 kelompok ditemukan" in browser.page_source
    check_page(browser, "kelompok")

    go(browser, browser.find_element(By.LINK_TEXT, city.codes["jalan"]))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Kelompok {city.codes['jalan']}"
    check_page(browser, "kelompok-detail")
    browser.find_element(By.ID, "answer-text").send_keys("Perbaikan dijadwalkan bulan depan.")
    go(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/jawab'] button"))
    assert "Jawaban dikirim ke 3 warga." in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "Perbaikan dijadwalkan bulan depan." in browser.page_source
    check_page(browser, "kelompok-dijawab")

    go(browser, browser.find_element(By.LINK_TEXT, "Peta"))
    check_page(browser, "peta")
    browser.get(f"{base}/ekspor?forum=bontang-utara")
    check_page(browser, "ekspor")
    browser.find_element(By.PARTIAL_LINK_TEXT, "CSV").click()
    folder = tmp_path / "unduhan"
    WebDriverWait(browser, 30).until(lambda _: any(folder.glob("*.csv")))
    exported = next(folder.glob("*.csv")).read_text(encoding="utf-8-sig")
    assert city.codes["jalan"] in exported and city.codes["air"] not in exported


def test_axe_finds_violations_on_a_bad_page(browser: webdriver.Chrome) -> None:
    browser.get("data:text/html,<html><body><input type=text><img src=x.png></body></html>")
    rules = {rule for rule, _, _ in axe_problems(browser)}
    assert {"label", "image-alt", "html-has-lang"} <= rules


PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
FITS = "return document.documentElement.scrollWidth <= window.innerWidth"
CELLS_IN_VIEW = """
const width = window.innerWidth;
return [...document.querySelectorAll('table.list tbody tr:first-child > *')].map(cell => {
  const box = cell.getBoundingClientRect();
  return [cell.textContent.trim().slice(0, 20), box.width > 0 && box.left >= 0 && box.right <= width];
});"""
LABEL_PIXELS = """
const svg = document.querySelector('.map svg');
const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale));"""


def phone_shot(driver: webdriver.Chrome, name: str) -> None:
    """No axe-core violations at phone width either, and a full-page screenshot of it."""
    assert axe_problems(driver) == [], name
    assert driver.execute_script(FITS), f"{name}: the page is wider than the phone"
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**PHONE, "height": max(844, height)})
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"phone-{name}.png"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def test_every_page_reads_on_a_phone(live: tuple[City, str], browser: webdriver.Chrome) -> None:
    """At 390 px: lists as cards with every value in view, legible map labels, a title field as wide as the
    screen, nothing wider than the phone."""
    city, base = live
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    browser.get(make_link(config=city.config, key=KEY, user_id=ADMIN))
    go(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    phone_shot(browser, "ringkasan")
    browser.get(f"{base}/kelompok")
    cells = browser.execute_script(CELLS_IN_VIEW)
    assert len(cells) == 9 and all(shown for _, shown in cells), cells
    assert browser.find_element(By.ID, "f-q").size["width"] >= 300
    phone_shot(browser, "kelompok")
    browser.get(f"{base}/kelompok/{city.codes['jalan']}")
    assert browser.find_element(By.ID, "new-title").size["width"] >= 330  # a whole title, not 20 letters
    cells = browser.execute_script(CELLS_IN_VIEW)
    assert cells and all(shown for _, shown in cells), cells
    phone_shot(browser, "kelompok-detail")
    browser.get(f"{base}/peta")
    assert browser.execute_script(LABEL_PIXELS) >= 10, "map labels under 10 px"
    phone_shot(browser, "peta")
    browser.get(f"{base}/ekspor")
    phone_shot(browser, "ekspor")


def test_bansos_view_and_its_export(live: tuple[City, str], browser: webdriver.Chrome, tmp_path: Path) -> None:
    city, base = live
    code = aid_cluster(city)
    browser.get(make_link(config=city.config, key=KEY, user_id=STAFF))
    go(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    go(browser, browser.find_element(By.LINK_TEXT, "Bansos"))
    spread = browser.find_element(By.ID, "bansos-spread").text
    assert "Guntung Pencairan telat/berhenti 2 2 1" in spread
    check_page(browser, "bansos")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Dinas Sosial").click()
    folder = tmp_path / "unduhan"
    WebDriverWait(browser, 30).until(lambda _: any(folder.glob("aspirasi-bansos-*.xlsx")))
    book = load_workbook(next(folder.glob("aspirasi-bansos-*.xlsx")))
    assert [row[0] for row in book["Bansos"].iter_rows(values_only=True)] == ["Kode kelompok", code]
    browser.get(f"{base}/kelompok?rentan=lansia")
    assert code in browser.page_source and city.codes["jalan"] not in browser.page_source
    check_page(browser, "kelompok-rentan")
