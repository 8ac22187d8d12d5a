"""Browser tests: headless Debian Chromium, driven by Playwright, against a real `ragqa serve`.

Fixtures start one server for the session (a temporary index built from `seeds/` with
`ragqa ingest`, then `ragqa serve --provider extractive` on a free port), one Chromium, and a
fresh browser context per test. Chromium is required: `.ci/run` installs it when missing; a
missing browser is a test failure, not a skip (set RAGQA_BROWSER=/path/to/chromium to use
another binary).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

# The helpers module is imported by its plain name whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOTS,
    Server,
    Tab,
    chromium_path,
    clean_env,
    free_port,
    open_tab,
    serve,
)

SERVE_OPTIONS = ("--host", "127.0.0.1", "--provider", "extractive")

# Answers take longer than Playwright's default 5 s on a busy CI machine.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def widget_origin() -> str:
    """Origin of the plain HTML page that embeds the widget.

    `localhost` while the API runs on `127.0.0.1`: another origin *and* another site, so
    both CORS and Cross-Origin-Resource-Policy are exercised as on a real third-party page.
    """
    return f"http://localhost:{free_port()}"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built from `seeds/` with `ragqa ingest`, shared by the session's servers."""
    index_dir = tmp_path_factory.mktemp("browser-index") / "index"
    command = ["-m", "service", "ingest", "--index-dir", str(index_dir), str(ROOT / "seeds")]
    ingest = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ingest.returncode == 0, f"ragqa ingest failed:\n{ingest.stdout}\n{ingest.stderr}"
    return index_dir


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, widget_origin: str, index_dir: Path
) -> Iterator[Server]:
    """`ragqa serve --provider extractive`, allowing the widget's origin."""
    env = clean_env()
    env["RAG_CORS_ORIGINS"] = json.dumps([widget_origin])
    command = ["-m", "service", "serve", "--index-dir", str(index_dir), *SERVE_OPTIONS]
    with serve(tmp_path_factory.mktemp("browser-server"), command, env) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh desktop-size tab; the test fails on any uncaught script error or CSP report."""
    tab = open_tab(browser)
    yield tab
    violations = tab.csp_violations()
    tab.context.close()
    assert tab.page_errors == [], f"uncaught errors in the page: {tab.page_errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
