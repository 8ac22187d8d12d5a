"""Only verified text reaches a client or the screen (issue 9), and the small things of the page.

Two more real servers: `ragqa serve --provider local` (the bundled model), and the real app with
a slow fake model that plants a fabricated sentence in its stream (`fake_model_server.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import ROOT, Server, Tab, clean_env, free_port, host_page, open_tab, serve
from openai import OpenAI
from playwright.sync_api import Browser, Page, expect
from test_browser_chat import FINAL, ask, chips_as_digits, open_citation

LOCAL_MODEL_WAIT_MS = 60_000

pytestmark = pytest.mark.integration

TRUE = "Xi Jinping bid his host a friendly farewell on Tuesday [1]."
PLANTED = "Xi Jinping then gave Vladimir Putin a golden horse named Thunder [1]."
REPLY = f"{TRUE} {PLANTED} The farewell came after a state banquet in Moscow [1]."
FAREWELL = "Who bid his host a friendly farewell after the state banquet in Moscow?"

# Everything the conversation showed, recorded on every change (installed before the page's
# own scripts): the texts of the bot bubbles while they were still being answered.
SCREEN_WATCH = """
window.__rqShown = [];
new MutationObserver(() => {
  document.querySelectorAll('.rq-msg-bot').forEach((bubble, i) => {
    if (!bubble.matches('.rq-msg-answer, .rq-msg-refusal, .rq-msg-error')) {
      const text = Array.from(bubble.querySelectorAll('.rq-text'))
        .map((p) => p.textContent).join(' ');
      if (text) window.__rqShown.push({bubble: i, text: text});
    }
  });
  const log = document.querySelector('.rq-log');
  if (log) window.__rqShown.push({bubble: -1, text: log.textContent});
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Iterator[Server]:
    """`ragqa serve --provider local`: the bundled SmolLM2 model, in-process."""
    env = clean_env()
    env["RAG_RATE_LIMIT_PER_MINUTE"] = "0"
    command = ["-m", "service", "serve", "--index-dir", str(index_dir), "--provider", "local"]
    with serve(tmp_path_factory.mktemp("local-server"), command, env) as running:
        yield running


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Iterator[Server]:
    """The real app with a slow fake model whose reply holds a fabricated sentence."""
    script = str(ROOT / "tests" / "browser" / "fake_model_server.py")
    command = [script, "--index-dir", str(index_dir), "--reply", REPLY, "--delay", "0.15"]
    env = clean_env()
    env["RAG_LEAD_ANSWERS"] = "false"  # the model's own sentences (the lead: tests/api)
    with serve(tmp_path_factory.mktemp("fake-server"), command, env) as running:
        yield running


def sse_events(base_url: str, question: str) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    with httpx.stream(
        "POST", f"{base_url}/v1/ask/stream", json={"question": question}, timeout=120
    ) as response:
        assert response.status_code == 200
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def shown_while_answering(page: Page) -> list[str]:
    return [s["text"] for s in page.evaluate("window.__rqShown") if s["bubble"] >= 0]


# ---- (a) the real local model ----------------------------------------------------------------
def test_local_model_streams_only_text_of_the_final_answer(
    local_server: Server, tab: Tab, screenshots: Path
) -> None:
    # /v1/ask/stream
    events = sse_events(local_server.base_url, "Who announced the conference on deported children?")
    assert events[-1][0] == "answer" and {k for k, _ in events[:-1]} == {"token"}
    final = events[-1][1]
    tokens = [data["text"] for _, data in events[:-1]]
    assert tokens and "".join(tokens) == final["answer"]

    # Streaming chat completions with the official client.
    with OpenAI(base_url=f"{local_server.base_url}/v1", api_key="unused", max_retries=0) as client:
        chunks = list(
            client.chat.completions.create(
                model="local",
                messages=[{"role": "user", "content": "Where did EU leaders meet Guterres?"}],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    sent = "".join(pieces)
    again = local_server.ask("Where did EU leaders meet Guterres?")  # the same, from the cache
    assert sent == again["answer"] and all(p in sent for p in pieces)
    assert (last.model_extra or {})["citations"] == again["citations"]
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens > 100 and usage.completion_tokens > 0

    # The page: everything shown before the final answer is part of it.
    page = tab.page
    page.add_init_script(SCREEN_WATCH)
    shown_before_final = 0
    for question in ("How many deported children are to be traced?", FAREWELL):
        page.goto(f"{local_server.base_url}/")
        bubble = ask(page, question, LOCAL_MODEL_WAIT_MS)
        answer_text = bubble.locator(".rq-text").first.text_content() or ""
        drafts = shown_while_answering(page)
        assert all(answer_text.startswith(d) for d in drafts), (drafts, answer_text)
        assert "[" not in answer_text
        shown_before_final += len(drafts)
    assert shown_before_final, "nothing was streamed to the page before the final answer"
    page.screenshot(path=str(screenshots / "verified-local-answer.png"))


def test_local_model_follow_up_refusal_and_source(
    local_server: Server, tab: Tab, screenshots: Path
) -> None:
    page = tab.page
    page.goto(f"{local_server.base_url}/")
    # the local model rewrites the follow-up and writes two answers: slow on a busy CPU
    ask(page, "What conference on deported children was planned?", LOCAL_MODEL_WAIT_MS)
    follow = ask(page, "And who announced it?", LOCAL_MODEL_WAIT_MS)
    expect(follow).to_have_class(FINAL)
    page.screenshot(path=str(screenshots / "verified-follow-up.png"))
    refusal = ask(page, "Who won the 2022 World Cup?", LOCAL_MODEL_WAIT_MS)
    expect(refusal).to_have_class(re.compile(r"\brq-msg-refusal\b"))
    page.screenshot(path=str(screenshots / "verified-refusal.png"))
    answered = page.locator(".rq-msg-answer").first
    question = page.locator(".rq-msg-user").first.text_content() or ""
    open_citation(page, answered, local_server, question)
    page.screenshot(path=str(screenshots / "verified-source-viewer.png"))


# ---- (b) a fabricated sentence planted in a fake model's stream ----------------------------------
def test_planted_sentence_never_reaches_the_screen(
    fake_server: Server, tab: Tab, screenshots: Path
) -> None:
    page = tab.page
    page.add_init_script(SCREEN_WATCH)
    page.goto(f"{fake_server.base_url}/")
    box = page.locator(".rq-input")
    box.fill(FAREWELL)
    box.press("Enter")
    bubble = page.locator(".rq-msg-bot").last
    # Mid-stream: the first verified sentence is shown, with its chip, while the model writes.
    expect(bubble.locator(".rq-draft .rq-chip")).to_have_count(1)
    expect(bubble).to_have_class(re.compile(r"\brq-streaming\b"))
    page.screenshot(path=str(screenshots / "verified-streaming-midway.png"))
    expect(bubble).to_have_class(FINAL)
    final = fake_server.ask(FAREWELL)
    assert bubble.locator(".rq-text").first.text_content() == chips_as_digits(final["answer"])
    shown = page.evaluate("window.__rqShown")
    assert shown and not [s for s in shown if "golden horse" in s["text"]]
    assert all(chips_as_digits(final["answer"]).startswith(t) for t in shown_while_answering(page))


def test_stop_keeps_only_verified_sentences_with_chips(fake_server: Server, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{fake_server.base_url}/")
    box = page.locator(".rq-input")
    box.fill("Who said a friendly farewell to his host after the Moscow state banquet?")
    box.press("Enter")
    bubble = page.locator(".rq-msg-bot").last
    expect(bubble.locator(".rq-draft .rq-chip")).to_have_count(1)
    page.get_by_role("button", name="Stop answering").click()
    expect(bubble).to_have_class(re.compile(r"\brq-msg-stopped\b"))
    text = bubble.locator(".rq-text").text_content() or ""
    assert text == chips_as_digits(TRUE)
    assert "[" not in text and "golden horse" not in text
    assert bubble.locator(".rq-text .rq-chip").count() == 1
    page.wait_for_timeout(3000)  # the model would have finished by now: nothing more arrives
    assert bubble.locator(".rq-text").text_content() == text


# ---- the small things (issue 9, item 5) ----------------------------------------------------------
def test_empty_page_lists_what_it_can_answer_about(
    server: Server, tab: Tab, screenshots: Path
) -> None:
    page = tab.page
    page.goto(f"{server.base_url}/")
    docs = httpx.get(f"{server.base_url}/v1/documents", timeout=10).json()["documents"]
    topics = page.locator(".rq-empty .rq-topic")
    expect(topics).to_have_count(len(docs))
    assert {t.get_attribute("data-doc-id") for t in topics.all()} == {d["doc_id"] for d in docs}
    seed = page.locator('.rq-topic[data-doc-id="article-2023-03-25"]')
    expect(seed).to_have_text("Article 2023-03-25")  # its date is already in the name
    page.screenshot(path=str(screenshots / "verified-empty-page.png"))


def test_quotes_are_not_doubled(server: Server, tab: Tab) -> None:
    question = "What changes are taking place now that we haven't seen in a hundred years?"
    expected = server.ask(question)
    opening = [c for c in expected["citations"] if c["quote"].startswith("“")]
    assert opening, "the test needs a quote that begins with a quotation mark"
    page = tab.page
    page.goto(f"{server.base_url}/")
    bubble = ask(page, question)
    quotes = bubble.locator(".rq-source-quote").all_text_contents()
    assert quotes and not [q for q in quotes if q.startswith("““") or q.endswith("””")]
    assert all(q.startswith(("“", '"')) for q in quotes)


def test_widget_names_a_cors_refusal(server: Server, browser: Browser) -> None:
    """A site the API does not allow (RAG_CORS_ORIGINS) is told so, not 'cannot reach'."""
    refused_origin = f"http://localhost:{free_port()}"
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other</title>
</head><body><h1>Not allowed</h1>
<script src="{server.base_url}/widget.js" data-open="true" defer></script></body></html>"""
    tab = open_tab(browser)
    try:
        with host_page(refused_origin, html) as url:
            tab.page.goto(url)
            bubble = ask(tab.page, "Who bid farewell to his host in Moscow?")
            expect(bubble.locator(".rq-label")).to_have_text("This site is not allowed to ask")
            message = bubble.locator(".rq-error-message").text_content() or ""
            assert refused_origin in message and "RAG_CORS_ORIGINS" in message
            tab.page.route("**/favicon.svg", lambda route: route.abort("connectionrefused"))
            tab.page.route("**/v1/ask/stream", lambda route: route.abort("connectionrefused"))
            down = ask(tab.page, "And who was his host?")
            expect(down.locator(".rq-label")).to_have_text("Cannot reach the server")
    finally:
        tab.context.close()
