"""The site in a real browser: Debian's headless Chromium, driven by Selenium through /usr/bin/chromedriver.

The site is served on 127.0.0.1; every page is opened; every request the browser makes is recorded from
its performance log, and every request the server answers is recorded too. Without Chromium the suite
is skipped, except under CI (the CI variable set), where a missing browser fails.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# How a chart image is judged non-empty: drawn on a canvas, this many of its pixels are not near-white.
DRAWN_PIXELS = 2000


def _browser_or_skip() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = f"the browser tests need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}")
        pytest.skip(reason)


class Recorder(SimpleHTTPRequestHandler):
    """Serves the site's folder and notes every request: (path, status)."""

    answered: list[tuple[str, int]]

    def log_request(self, code="-", size="-"):
        self.answered.append((self.path, int(code) if str(code).isdigit() else 0))

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    answered: list[tuple[str, int]] = []
    handler = type("SiteRecorder", (Recorder,), {"answered": answered})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/", answered
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    previous = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never downloads a driver or browser
    profile = tempfile.mkdtemp(prefix="redata-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    # every page load reaches the server, which records it: nothing is answered from the browser's cache
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.get_log("performance")  # the browser's own start-up pages are not the site's requests
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        if previous is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = previous


def requested_urls(driver) -> list[str]:
    """The URLs of every request the browser sent since the log was last read."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def figures() -> list[dict[str, str]]:
    with (REPO / "datapackage" / "figures.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_missing_browser_skips_but_fails_under_ci(monkeypatch, tmp_path):
    import sys

    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        _browser_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set and the browser tests need .*no-chromium"):
        _browser_or_skip()


# What a figure page shows, read by the browser in one script: the page's title, its quote's text, its marks'
# texts, the fields the page lists, and the first mark, whose visibility Selenium then judges.
FIGURE_PAGE = """
const quote = document.querySelector('main blockquote#quote');
if (!quote) return null;
const marks = [...quote.querySelectorAll('mark')];
const fields = [...document.querySelectorAll('h2#fields + dl.fields .field')].map(e => e.getAttribute('data-field'));
return [document.title, quote.textContent, marks.map(m => m.textContent), fields, marks[0] || null];
"""


def test_every_figure_page_marks_its_as_written_inside_its_quote(browser, server):
    base, _ = server
    rows = figures()
    assert rows
    for figure in rows:
        browser.get(f"{base}figures/{figure['figure_id']}.html")
        page = browser.execute_script(FIGURE_PAGE)
        assert page is not None, f"{figure['figure_id']}: no quote"
        title, quote, marks, fields, mark = page
        assert figure["figure_id"] in title
        assert (quote, marks) == (figure["quote"], [figure["as_written"]]), figure["figure_id"]
        assert mark.is_displayed() and mark.size["width"] > 0, figure["figure_id"]
        assert set(fields) == set(figure), figure["figure_id"]


def test_every_chart_renders_non_empty(browser, server, site):
    from selenium.webdriver.common.by import By

    base, _ = server
    pages = sorted(path.stem for path in (site / "charts").glob("*.html") if path.stem != "index")
    assert pages == ["costs", "ev-output-2024", "shares", "timeline"]
    for page in pages:
        browser.get(f"{base}charts/{page}.html")
        image = browser.find_element(By.CSS_SELECTOR, "figure.chart img#chart")
        assert image.get_attribute("alt").strip(), page
        complete, width, height, drawn = browser.execute_script(
            """
            const image = arguments[0];
            const canvas = document.createElement('canvas');
            canvas.width = image.naturalWidth;
            canvas.height = image.naturalHeight;
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 0; i < pixels.length; i += 4) {
              if (pixels[i + 3] > 0 && (pixels[i] < 230 || pixels[i + 1] < 230 || pixels[i + 2] < 230)) drawn++;
            }
            return [image.complete, image.naturalWidth, image.naturalHeight, drawn];
            """,
            image,
        )
        assert complete and width > 100 and height > 50, page
        assert drawn > DRAWN_PIXELS, (page, drawn)
        rows = browser.find_elements(By.CSS_SELECTOR, "#rows + table tbody tr")
        assert rows, page


def test_no_request_leaves_the_sites_folder(browser, server, site):
    base, answered = server
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert len(pages) > 100
    requested_urls(browser)  # what earlier tests requested is theirs
    answered.clear()
    urls = []
    for page in pages:
        browser.get(base + page)
        urls += requested_urls(browser)
    assert len(urls) >= len(pages)
    outside = sorted({url for url in urls if not url.startswith(base)})
    assert outside == []
    root = site.resolve()

    def inside(path: str) -> bool:
        served = (root / unquote(urlsplit(path).path).lstrip("/")).resolve()
        return served.is_relative_to(root) and served.is_file()

    assert [url for url in urls if not inside(urlsplit(url).path)] == []
    assert [(path, status) for path, status in answered if not inside(path) or status not in (200, 304)] == []
    assert len(answered) >= len(pages)
