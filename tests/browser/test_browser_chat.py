"""The chat page (GET /) in headless Chromium against a real `ragqa serve`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import (
    ANSWERABLE,
    DESKTOP,
    PHONE,
    UNANSWERABLE,
    Server,
    Tab,
    host_page,
    open_tab,
)
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect

from service.core.documents import make_document

pytestmark = pytest.mark.integration

FOLLOW_UP = "Who is the Secretary-General of the United Nations?"
FINAL = re.compile(r"\brq-msg-(answer|refusal|error)\b")

# What the page showed while the answer was being written (recorded by a MutationObserver
# installed before the page's own scripts).
STREAM_WATCH = """
window.__rqSeen = {thinking: false, drafts: []};
new MutationObserver(() => {
  if (document.querySelector('.rq-thinking')) window.__rqSeen.thinking = true;
  const draft = document.querySelector('.rq-draft:not([hidden])');
  if (draft && draft.textContent) window.__rqSeen.drafts.push(draft.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""

# The policy the page is written for: nothing inline, everything from the service's origin.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def ask(page: Page, question: str, timeout_ms: float = 20_000) -> Locator:
    """Type a question, press Enter, wait for the final answer; returns its bubble."""
    before = page.locator(".rq-msg-bot").count()
    box = page.locator(".rq-input")
    box.fill(question)
    box.press("Enter")
    bubble = page.locator(".rq-msg-bot").nth(before)
    expect(bubble).to_have_class(FINAL, timeout=timeout_ms)
    return bubble


def chips_as_digits(answer: str) -> str:
    """The answer text as the page shows it: `[n]` markers become chips labelled `n`."""
    return re.sub(r"\[(\d+)\]", r"\1", answer)


def open_citation(page: Page, bubble: Locator, server: Server, question: str) -> dict[str, Any]:
    """Click the first citation chip of `bubble`; checks the highlighted quote; returns it."""
    expected = server.ask(question)
    chip = bubble.locator(".rq-text .rq-chip").first
    citation_id = int(chip.get_attribute("data-citation") or "0")
    citation: dict[str, Any] = next(c for c in expected["citations"] if c["id"] == citation_id)
    chip.click()
    panel = page.locator("dialog.rq-panel[open]")
    mark = panel.locator("mark.rq-quote")
    expect(mark).to_be_visible()
    assert mark.text_content() == citation["quote"]
    document = server.document(citation["doc_id"])
    # The body is shown (without the `date` header line), and the highlight sits at the
    # citation's offsets of the full document text.
    text = document["text"]
    body = body_start(text)
    assert panel.locator(".rq-doc").text_content() == text[body:]
    before = panel.locator(".rq-doc").evaluate(
        "(doc) => doc.firstChild.nodeType === 3 ? doc.firstChild.textContent : ''"
    )
    assert before == text[body : citation["start"]]
    assert not (panel.locator(".rq-doc").text_content() or "").lstrip().startswith("date ")
    title = document["title"] if document["title"] != document["doc_id"] else None
    shown = panel.locator(".rq-panel-title").text_content() or ""
    assert shown == (title or shown) and shown != document["doc_id"]
    expect(mark).to_be_in_viewport()
    return citation


def body_start(text: str) -> int:
    """Where the chat shows a document from: after the `date` header and blank lines."""
    start = make_document(text).body_start
    return len(text) - len(text[start:].lstrip())


# ---- asking, streaming, citations --------------------------------------------------------
def test_streamed_answer_and_highlighted_citation(server: Server, tab: Tab) -> None:
    page = tab.page
    page.add_init_script(STREAM_WATCH)
    page.goto(f"{server.base_url}/")
    box = page.get_by_label("Your question")
    expect(box).to_be_focused()

    bubble = ask(page, ANSWERABLE)
    expect(bubble).to_have_class(re.compile(r"\brq-msg-answer\b"))
    seen = page.evaluate("window.__rqSeen")
    assert seen["thinking"], "no thinking state was shown"
    assert seen["drafts"], "no streamed draft was shown before the final answer"
    assert int(bubble.get_attribute("data-tokens") or "0") >= 1
    # Only verified text is shown while streaming: every draft begins the final answer.
    final_text = bubble.locator(".rq-text").text_content() or ""
    assert all(final_text.startswith(draft) for draft in seen["drafts"]), seen["drafts"]

    expected = server.ask(ANSWERABLE)
    assert expected["answerable"] and expected["citations"]
    # The final `answer` event replaces the draft: the bubble shows the answer object's text.
    assert bubble.locator(".rq-text").text_content() == chips_as_digits(expected["answer"])
    assert bubble.locator(".rq-label").text_content() == "Answer"
    assert bubble.locator(".rq-text .rq-chip").count() == len(
        re.findall(r"\[(\d+)\]", expected["answer"])
    )
    expect(box).to_be_focused()

    citation = open_citation(page, bubble, server, ANSWERABLE)
    panel = page.locator("dialog.rq-panel[open]")
    expect(panel.locator(".rq-panel-title")).to_be_focused()
    assert f"Quote {citation['id']} is highlighted" in (
        panel.locator(".rq-panel-info").text_content() or ""
    )
    page.keyboard.press("Escape")
    expect(page.locator("dialog.rq-panel[open]")).to_have_count(0)
    expect(bubble.locator(".rq-text .rq-chip").first).to_be_focused()

    # The source list under the answer opens the same passage.
    bubble.locator(".rq-source").first.click()
    expect(page.locator("dialog.rq-panel[open] mark.rq-quote")).to_have_text(citation["quote"])
    page.get_by_role("button", name="Close source").click()
    expect(page.locator("dialog.rq-panel[open]")).to_have_count(0)


def test_follow_up_sends_history(server: Server, tab: Tab) -> None:
    page = tab.page
    bodies: list[dict[str, Any]] = []

    def on_request(request: Request) -> None:
        if request.url.endswith("/v1/ask/stream"):
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", on_request)
    page.goto(f"{server.base_url}/")
    ask(page, ANSWERABLE)
    second = ask(page, FOLLOW_UP)
    expect(second).to_have_class(re.compile(r"\brq-msg-answer\b"))

    first_answer = server.ask(ANSWERABLE)["answer"]
    assert bodies[0] == {"question": ANSWERABLE}
    assert bodies[1] == {
        "question": FOLLOW_UP,
        "history": [
            {"role": "user", "content": ANSWERABLE},
            {"role": "assistant", "content": first_answer},
        ],
    }
    assert page.locator(".rq-msg-user").all_text_contents() == [ANSWERABLE, FOLLOW_UP]


def test_refusal_is_shown_differently(server: Server, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{server.base_url}/")
    refusal = ask(page, UNANSWERABLE)
    expected = server.ask(UNANSWERABLE)
    assert expected["answerable"] is False

    expect(refusal).to_have_class(re.compile(r"\brq-msg-refusal\b"))
    assert refusal.locator(".rq-label").text_content() == "⚠Not found in the documents"
    assert refusal.locator(".rq-text").text_content() == expected["answer"]
    assert refusal.locator(".rq-text .rq-chip").count() == 0
    assert refusal.get_attribute("aria-label") == "No answer found"

    other = tab.context.new_page()
    other.goto(f"{server.base_url}/")
    answer = ask(other, ANSWERABLE)

    def look(bubble: Locator) -> dict[str, str]:
        result: dict[str, str] = bubble.evaluate(
            """(el) => { const s = getComputedStyle(el);
                return {bg: s.backgroundColor, left: s.borderLeftWidth,
                        style: s.borderTopStyle, label: getComputedStyle(
                          el.querySelector('.rq-label')).color}; }"""
        )
        return result

    refused, answered = look(refusal), look(answer)
    assert refused["bg"] != answered["bg"]
    assert refused["label"] != answered["label"]
    assert refused["style"] == "dashed" and float(refused["left"].rstrip("px")) >= 4
    other.close()


# ---- untrusted text ------------------------------------------------------------------------
XSS_DOC_ID = "quillport-xss"
XSS_TITLE = '<b onmouseover="alert(1)">Quillport</b> bulletin'
XSS_TEXT = (
    "Quillport bulletin 🦓🎉 (emoji before the quote shift UTF-16 offsets).\n\n"
    "The zebra festival in Quillport takes place every April "
    "<img src=x onerror=\"window.__pwned='img';alert('img')\"> and draws many visitors "
    "<script>window.__pwned='script';alert('script')</script>.\n\n"
    'Other news: <a href="javascript:alert(3)">the harbour</a> was repainted green.'
)
XSS_QUESTION = "When does the zebra festival in Quillport take place?"


def test_markup_in_documents_and_answers_stays_text(server: Server, tab: Tab) -> None:
    added = httpx.post(
        f"{server.base_url}/v1/documents",
        json={"doc_id": XSS_DOC_ID, "title": XSS_TITLE, "text": XSS_TEXT},
        timeout=120,
    )
    assert added.status_code in (200, 201), added.text
    expected = server.ask(XSS_QUESTION)
    assert any(c["doc_id"] == XSS_DOC_ID for c in expected["citations"]), expected
    assert "<img src=x onerror=" in expected["answer"]

    page = tab.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.base_url}/")
    scripts_before = page.locator("script").count()

    bubble = ask(page, XSS_QUESTION)
    text = bubble.locator(".rq-text").text_content() or ""
    assert "<img src=x onerror=" in text and "<script>" in text
    assert page.locator(".rq-log img, .rq-log script, .rq-log b").count() == 0

    open_citation(page, bubble, server, XSS_QUESTION)
    panel = page.locator("dialog.rq-panel[open]")
    assert panel.locator(".rq-panel-title").text_content() == XSS_TITLE
    assert "<script>" in (panel.locator(".rq-doc").text_content() or "")
    assert panel.locator("img, script, a, b").count() == 0
    panel.locator(".rq-panel-title").hover()

    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []
    assert page.locator("script").count() == scripts_before
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]


# ---- keyboard, stop -----------------------------------------------------------------------
def test_keyboard_and_stop(server: Server, tab: Tab) -> None:
    page = tab.page
    held: list[Route] = []
    page.route("**/v1/ask/stream", lambda route: held.append(route))  # never answered
    page.goto(f"{server.base_url}/")
    box = page.get_by_label("Your question")
    expect(box).to_be_focused()

    box.type("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert box.input_value() == "first line\nsecond line"
    assert page.locator(".rq-msg-user").count() == 0

    box.press("Enter")
    expect(page.locator(".rq-msg-user")).to_have_text("first line\nsecond line")
    expect(box).to_have_value("")
    expect(page.locator(".rq-thinking")).to_be_visible()
    stop = page.get_by_role("button", name="Stop answering")
    expect(stop).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_hidden()

    stop.click()
    bubble = page.locator(".rq-msg-bot").last
    expect(bubble).to_have_class(re.compile(r"\brq-msg-stopped\b"))
    expect(bubble.locator(".rq-label")).to_have_text("Stopped")
    expect(bubble.locator(".rq-note")).to_have_text("Stopped before an answer arrived.")
    expect(page.locator(".rq-thinking")).to_have_count(0)
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(box).to_be_focused()
    assert len(held) == 1
    page.unroute("**/v1/ask/stream")

    # Stopping left no trace in the history: the next question goes alone, and is answered.
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data or "") if r.url.endswith("/ask/stream") else None,
    )
    answer = ask(page, ANSWERABLE)
    expect(answer).to_have_class(re.compile(r"\brq-msg-answer\b"))
    assert json.loads(bodies[-1]) == {"question": ANSWERABLE}


# ---- API errors (the responses are made in the browser; the retries reach the server) -------
def _error(route: Route, status: int, code: str, message: str, retry_after: str | None) -> None:
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = json.dumps({"error": {"code": code, "message": message}})
    route.fulfill(status=status, headers=headers, body=body)


@pytest.mark.parametrize(
    ("status", "code", "retry_after", "title", "says"),
    [
        (429, "rate_limited", "3", "Too many questions", "limiting how often"),
        (503, "model_unavailable", "2", "Service unavailable", "the server is busy"),
    ],
)
def test_busy_errors_offer_retry(
    server: Server, tab: Tab, status: int, code: str, retry_after: str, title: str, says: str
) -> None:
    page = tab.page
    calls: list[int] = []

    def handle(route: Route) -> None:
        calls.append(1)
        if len(calls) == 1:
            _error(route, status, code, "the server is busy", retry_after)
        else:
            route.fallback()

    page.route("**/v1/ask/stream", handle)
    page.goto(f"{server.base_url}/")
    bubble = ask(page, ANSWERABLE)
    expect(bubble).to_have_class(re.compile(r"\brq-msg-error\b"))
    expect(bubble.locator(".rq-label")).to_have_text(title)
    assert says in (bubble.locator(".rq-error-message").text_content() or "")
    limit = int(retry_after)
    expect(bubble.locator(".rq-wait")).to_have_text(
        re.compile(rf"You can try again in [1-{limit}] s\.")
    )
    retry = bubble.get_by_role("button", name=re.compile("^Retry"))
    expect(retry).to_be_disabled()  # until Retry-After has passed
    expect(retry).to_be_enabled(timeout=limit * 1000 + 3000)
    expect(bubble.locator(".rq-wait")).to_have_text("You can try again now.")
    retry.click()
    expect(bubble).to_have_class(re.compile(r"\brq-msg-answer\b"))
    assert len(calls) == 2
    assert page.locator(".rq-msg-bot").count() == 1  # retried in place


def test_unauthorized_asks_for_a_key(server: Server, tab: Tab) -> None:
    page = tab.page
    seen: list[str | None] = []

    def handle(route: Route) -> None:
        key = route.request.headers.get("authorization")
        seen.append(key)
        if key != "Bearer s3cret":
            _error(route, 401, "unauthorized", "missing or wrong API key", None)
        else:
            route.fallback()

    page.route("**/v1/ask/stream", handle)
    page.goto(f"{server.base_url}/")
    bubble = ask(page, ANSWERABLE)
    expect(bubble.locator(".rq-label")).to_have_text("API key needed")
    assert bubble.get_by_role("button", name="Retry", exact=True).count() == 0
    key = bubble.get_by_role("textbox", name="API key")
    key.fill("s3cret")
    key.press("Enter")
    expect(bubble).to_have_class(re.compile(r"\brq-msg-answer\b"))
    assert seen == [None, "Bearer s3cret"]


def test_stream_error_and_unreachable_server(server: Server, tab: Tab) -> None:
    page = tab.page
    page.route(
        "**/v1/ask/stream",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream"},
            body='event: token\ndata: {"text": "Partial"}\n\n'
            'event: error\ndata: {"error": {"code": "model_unavailable", '
            '"message": "the answer model failed; try again"}}\n\n',
        ),
    )
    page.goto(f"{server.base_url}/")
    bubble = ask(page, ANSWERABLE)
    expect(bubble.locator(".rq-label")).to_have_text("Service unavailable")
    assert "the answer model failed" in (bubble.locator(".rq-error-message").text_content() or "")
    expect(bubble.get_by_role("button", name="Retry")).to_be_enabled()

    page.unroute("**/v1/ask/stream")
    page.route("**/v1/ask/stream", lambda route: route.abort("connectionrefused"))
    second = ask(page, FOLLOW_UP)
    expect(second.locator(".rq-label")).to_have_text("Cannot reach the server")
    page.unroute("**/v1/ask/stream")
    second.get_by_role("button", name="Retry").click()
    expect(second).to_have_class(re.compile(r"\brq-msg-answer\b"))


# ---- the widget on another site ------------------------------------------------------------
def test_widget_on_another_origin(
    server: Server, browser: Browser, widget_origin: str, screenshots: Path
) -> None:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head>
<body>
  <h1>Partner site</h1>
  <p>A plain page on another origin that embeds the chat with one tag.</p>
  <script src="{server.base_url}/widget.js" data-title="Help desk"
          data-launcher-label="Ask our documents" data-api-key="demo-key" defer></script>
</body></html>"""
    # The widget's files load cross-site (no CORS: plain <script>/<link>), so they must not
    # carry `Cross-Origin-Resource-Policy: same-site`/`same-origin`, which Chromium enforces.
    for name in ("widget.js", "app.js", "styles.css"):
        asset = httpx.get(f"{server.base_url}/{name}", timeout=10)
        assert asset.status_code == 200, name
        corp = asset.headers.get("cross-origin-resource-policy", "cross-origin")
        assert corp == "cross-origin", (
            f"GET /{name} sends Cross-Origin-Resource-Policy: {corp}; the widget's files must be "
            "loadable from other sites (send `cross-origin` for them, or no CORP header)"
        )

    tab = open_tab(browser)
    page = tab.page
    sent: list[dict[str, str]] = []
    page.on(
        "request",
        lambda r: sent.append(r.headers) if r.url == f"{server.base_url}/v1/ask/stream" else None,
    )
    try:
        with host_page(widget_origin, html) as url:
            page.goto(url)
            launcher = page.get_by_role("button", name="Ask our documents")
            expect(launcher).to_be_visible()
            launcher.click()
            expect(page.locator(".rq-title")).to_have_text("Help desk")
            expect(page.locator(".rq-input")).to_be_focused()
            bubble = ask(page, ANSWERABLE)
            expect(bubble).to_have_class(re.compile(r"\brq-msg-answer\b"))
            # Cross-origin, with the configured key header (CORS preflight included).
            assert sent[-1].get("authorization") == "Bearer demo-key"
            assert sent[-1].get("referer", "").startswith(widget_origin)
            page.screenshot(path=str(screenshots / "widget-desktop-light.png"))
            assert _axe_violations(page, "[data-ragqa-widget]") == []
            open_citation(page, bubble, server, ANSWERABLE)
            page.keyboard.press("Escape")
            # The host page is untouched: its heading keeps its own styles.
            assert page.locator("h1").text_content() == "Partner site"
            page.get_by_role("button", name="Close chat").click()
            expect(page.locator(".rq-widget-panel")).to_be_hidden()
            expect(launcher).to_be_focused()
        assert tab.page_errors == []
        assert tab.console_errors == [], tab.console_errors
    finally:
        tab.context.close()


# ---- looks, themes, accessibility ----------------------------------------------------------
def _axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """axe-core's WCAG and best-practice violations (names, labels, contrast, landmarks...)."""
    result = Axe().run(page, context=context)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots_themes_and_accessibility(
    server: Server, browser: Browser, screenshots: Path, size: str, scheme: str
) -> None:
    tab = open_tab(browser, viewport=DESKTOP if size == "desktop" else PHONE, color_scheme=scheme)
    page = tab.page
    try:
        page.goto(f"{server.base_url}/")
        expect(page.locator(".ragqa")).to_have_attribute("data-theme", scheme)
        ask(page, ANSWERABLE)
        refusal = ask(page, UNANSWERABLE)
        expect(refusal).to_have_class(re.compile(r"\brq-msg-refusal\b"))
        page.locator(".rq-input").fill("What did the UN climate bureau show?")
        page.wait_for_timeout(200)

        # Readable at this width: nothing sticks out sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0

        page.screenshot(path=str(screenshots / f"chat-{size}-{scheme}.png"))
        assert _axe_violations(page) == []

        page.locator(".rq-msg-answer .rq-text .rq-chip").first.click()
        expect(page.locator("dialog.rq-panel[open] mark.rq-quote")).to_be_in_viewport()
        page.screenshot(path=str(screenshots / f"source-{size}-{scheme}.png"))
        assert _axe_violations(page) == []
        page.keyboard.press("Escape")

        # The toggle switches theme and remembers the choice.
        other = "dark" if scheme == "light" else "light"
        page.get_by_role("button", name=f"Switch to {other} theme").click()
        expect(page.locator(".ragqa")).to_have_attribute("data-theme", other)
        page.reload()
        expect(page.locator(".ragqa")).to_have_attribute("data-theme", other)
        assert tab.page_errors == []
        assert tab.csp_violations() == []
    finally:
        tab.context.close()


def _page_csp(server: Server) -> str:
    return str(
        httpx.get(f"{server.base_url}/", timeout=10).headers.get("content-security-policy", "")
    )


def test_page_holds_under_strict_csp(server: Server, tab: Tab) -> None:
    """The page needs nothing beyond its own origin: no inline script or style.

    Checked under the server's own policy; where the server sends none, under PAGE_CSP (the
    policy the page is written for), enforced here on the page's response.
    """
    page = tab.page
    if not _page_csp(server):

        def with_csp(route: Route) -> None:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": PAGE_CSP}
            route.fulfill(response=response, headers=headers)

        page.route(re.compile(r"^" + re.escape(server.base_url) + r"/$"), with_csp)
    page.goto(f"{server.base_url}/")
    bubble = ask(page, ANSWERABLE)
    expect(bubble).to_have_class(re.compile(r"\brq-msg-answer\b"))
    open_citation(page, bubble, server, ANSWERABLE)
    page.keyboard.press("Escape")
    page.get_by_role("button", name=re.compile("theme")).click()
    assert tab.csp_violations() == []
    assert tab.console_errors == [], tab.console_errors


def test_server_sends_a_same_origin_csp_for_the_page(server: Server) -> None:
    """Issue 6: the page is sent with a Content-Security-Policy allowing only its own origin."""
    policy = _page_csp(server)
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if words := part.split():
            directives[words[0].lower()] = words[1:]
    assert "default-src" in directives, f"GET / sends no same-origin CSP: {policy!r}"
    for name in ("script-src", "style-src", "connect-src", "img-src", "font-src", "object-src"):
        sources = directives.get(name, directives["default-src"])
        assert set(sources) <= {"'self'", "'none'"}, f"{name} allows {sources}: {policy!r}"


def test_understood_as_only_for_a_rewrite_of_substance(server: Server, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{server.base_url}/")
    off_topic = ask(page, UNANSWERABLE)
    expect(off_topic).to_have_class(re.compile(r"\brq-msg-refusal\b"))
    standalone = ask(page, "Who is Josep Borrell?")  # stands alone: no rewrite to show
    expect(standalone.locator(".rq-meta")).not_to_contain_text("understood as")
    follow_up = ask(page, "Where is he flying to?")
    expect(follow_up).to_contain_text("Beijing")
    meta = follow_up.locator(".rq-meta")
    expect(meta).to_contain_text("understood as: Where is Josep Borrell flying to?")
    for leaked in ("User:", "Rewritten question", "context:", "World Cup"):
        expect(meta).not_to_contain_text(leaked)


def test_leaked_prompt_text_is_never_shown_as_understood(server: Server, tab: Tab) -> None:
    page = tab.page
    answer = {
        "answer": "The documents do not say. I found no passage that answers this question.",
        "answerable": False,
        "citations": [],
        "provider": "extractive",
        "question": "Who won it?",
        "rewritten_question": "Rewritten question: Who won the 2022 World Cup?",
        "timing_ms": {"total": 5.0},
    }

    def fake_stream(route: Route) -> None:
        route.fulfill(
            status=200,
            headers={"content-type": "text/event-stream"},
            body=f"event: answer\ndata: {json.dumps(answer)}\n\n",
        )

    page.route("**/v1/ask/stream", fake_stream)
    page.goto(f"{server.base_url}/")
    bubble = ask(page, "Who won it?")
    expect(bubble.locator(".rq-meta")).to_contain_text("extractive")
    expect(bubble.locator(".rq-meta")).not_to_contain_text("understood as")
