"""Helpers of the browser tests: the server under test, Chromium tabs, a host page for the widget.

Fixtures start one server for the session (a temporary index built from `seeds/` with
`ragqa ingest`, then `ragqa serve --provider extractive` on a free port), one Chromium, and a
fresh browser context per test. Chromium is required: `.ci/run` installs it when missing; a
missing browser is a test failure, not a skip (set RAGQA_BROWSER=/path/to/chromium to use
another binary).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# A question the seed article answers, and one it does not.
ANSWERABLE = "Who bid farewell to his host in Moscow?"
UNANSWERABLE = "Which team won the 1998 football World Cup?"

# Reported by the page when a Content-Security-Policy blocks something.
_CSP_WATCH = """
window.__rqCsp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__rqCsp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def chromium_path() -> str:
    for candidate in (os.environ.get("RAGQA_BROWSER"), "/usr/bin/chromium", "chromium"):
        if candidate and (found := shutil.which(candidate)):
            return found
    pytest.fail(
        "Chromium is missing: the browser tests need it (apt-get install chromium; "
        ".ci/run installs it) or RAGQA_BROWSER=/path/to/chromium",
        pytrace=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `ragqa serve`."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if history:
            body["history"] = history
        response = httpx.post(f"{self.base_url}/v1/ask", json=body, timeout=60)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def document(self, doc_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.base_url}/v1/documents/{doc_id}", timeout=30)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@contextlib.contextmanager
def serve(work: Path, command: list[str], env: dict[str, str]) -> Iterator[Server]:
    """Run `python COMMAND... --port N` (a server of the chat page and API) until ready."""
    port = free_port()
    log = work / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url, log)
        yield Server(base_url=base_url, process=process, log=log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the server to stop; kill it when it has not stopped within 15 s."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=5)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    state = f"exited ({process.returncode})" if process.poll() is not None else "is not ready"
    pytest.fail(
        f"the server {state} after {time.monotonic() - deadline + 180:.0f} s:\n{log_tail(log)}"
    )


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RAG_", "OPENAI_")) and k not in {"HTTP_PROXY", "HTTPS_PROXY"}
    }


def log_tail(log: Path) -> str:
    with contextlib.suppress(OSError):
        return log.read_text(errors="replace")[-3000:]
    return ""


@dataclass
class Tab:
    """A page plus what it reported: uncaught errors, console errors, dialogs, CSP reports."""

    context: BrowserContext
    page: Page
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        with contextlib.suppress(Exception):
            return list(self.page.evaluate("window.__rqCsp || []"))
        return []


def open_tab(
    browser: Browser,
    viewport: dict[str, int] | None = None,
    color_scheme: str = "light",
) -> Tab:
    context = browser.new_context(
        viewport=viewport or DESKTOP,  # type: ignore[arg-type]
        color_scheme=color_scheme,  # type: ignore[arg-type]
        reduced_motion="reduce",
    )
    context.set_default_timeout(20_000)
    context.add_init_script(_CSP_WATCH)
    page = context.new_page()
    tab = Tab(context=context, page=page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.console_errors.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("pageerror", lambda exc: tab.page_errors.append(str(exc)))
    page.on("console", on_console)
    page.on("dialog", on_dialog)
    return tab


class _HostPage(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.html)))
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def host_page(origin: str, html: str) -> Iterator[str]:
    """Serve one plain HTML page on `origin` (another port); yields its URL."""
    port = int(origin.rsplit(":", 1)[1])
    handler = type("HostPage", (_HostPage,), {"html": html.encode()})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{origin}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
