"""HTTP runs against a served ragqa: `POST /v1/ask` with a pool of threads."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
from pydantic import ValidationError

from service.core.documents import Document
from service.core.schemas import Answer, Turn
from service.evaluation.dataset import EvalItem
from service.evaluation.outcome import Outcome

Tick = Callable[[], None]


def _error(response: httpx.Response) -> str:
    try:
        body = response.json()
        message = body["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    return f"HTTP {response.status_code}: {message}"


RETRIES = 5
MAX_WAIT_S = 30.0


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before asking again, for a 429 or 503 that says so; else None."""
    if response.status_code not in (429, 503):
        return None
    try:
        return min(MAX_WAIT_S, max(0.0, float(response.headers["retry-after"])))
    except (KeyError, ValueError):
        return None


class RemoteService:
    """A running ragqa server: questions, document texts and uploads."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._texts: dict[str, str | None] = {}

    def ask(self, item: EvalItem, history: Sequence[Turn] = ()) -> Outcome:
        """One timed `POST /v1/ask`; failures become error outcomes.

        A 429 or 503 with `Retry-After` is retried after the wait the server asks for (at
        most RETRIES times); the latency is that of the answered attempt.
        """
        for attempt in range(RETRIES + 1):
            started = time.perf_counter()
            try:
                body: dict[str, object] = {"question": item.question}
                if history:
                    body["history"] = [t.model_dump() for t in history]
                response = self.client.post("/v1/ask", json=body)
            except httpx.HTTPError as exc:
                elapsed = (time.perf_counter() - started) * 1000
                return Outcome(item, None, elapsed, f"{type(exc).__name__}: {exc}")
            elapsed = (time.perf_counter() - started) * 1000
            wait = _retry_after(response)
            if wait is None or attempt == RETRIES:
                break
            time.sleep(wait)
        if response.status_code != 200:
            return Outcome(item, None, elapsed, _error(response))
        try:
            return Outcome(item, Answer.model_validate(response.json()), elapsed)
        except (ValueError, ValidationError) as exc:
            return Outcome(item, None, elapsed, f"not an answer object: {exc}"[:300])

    def wait_ready(self, timeout_s: float = 60.0, pause_s: float = 1.0) -> None:
        """Wait until `GET /readyz` answers 200; raise with the reason when it never does."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                response = self.client.get("/readyz")
            except httpx.HTTPError as exc:
                message = f"cannot reach the server at {self.client.base_url}: {exc}"
                raise RuntimeError(message) from exc
            if response.status_code == 200:
                return
            if response.status_code != 503 or time.monotonic() > deadline:
                raise RuntimeError(f"the server is not ready: {_error(response)}")
            time.sleep(pause_s)

    def document_text(self, doc_id: str) -> str | None:
        """The full text from `GET /v1/documents/{doc_id}` (cached), None when missing."""
        if doc_id not in self._texts:
            response = self.client.get(f"/v1/documents/{doc_id}")
            text = response.json().get("text") if response.status_code == 200 else None
            self._texts[doc_id] = text if isinstance(text, str) else None
        return self._texts[doc_id]

    def document_ids(self) -> list[str]:
        """The ids listed by `GET /v1/documents`."""
        response = self.client.get("/v1/documents")
        response.raise_for_status()
        body = response.json()
        rows = body.get("documents", []) if isinstance(body, dict) else body
        return [str(row["doc_id"]) for row in rows if isinstance(row, dict) and "doc_id" in row]

    def upload(self, docs: Sequence[Document]) -> int:
        """Add the documents the server lacks or holds with other text; returns how many."""
        sent = 0
        for doc in docs:
            if self.document_text(doc.doc_id) == doc.text:
                continue
            body = {"doc_id": doc.doc_id, "title": doc.title, "text": doc.text}
            response = self.client.post("/v1/documents", json=body)
            if response.status_code >= 400:
                raise RuntimeError(f"uploading {doc.doc_id}: {_error(response)}")
            self._texts[doc.doc_id] = doc.text
            sent += 1
        return sent

    def run(self, items: Sequence[EvalItem], concurrency: int, tick: Tick | None) -> list[Outcome]:
        """Ask every question with `concurrency` requests in flight; results keep file order.
        A conversation's turns are asked one after another, each with the earlier turns and
        the server's answers as history."""

        def one(group: list[EvalItem]) -> list[Outcome]:
            history: list[Turn] = []
            outcomes = []
            for item in group:
                outcome = self.ask(item, history)
                outcomes.append(outcome)
                history.append(Turn(role="user", content=item.question))
                if outcome.answer is not None:
                    history.append(Turn(role="assistant", content=outcome.answer.answer))
                if tick:
                    tick()
            return outcomes

        groups: dict[str, list[EvalItem]] = {}
        for i, item in enumerate(items):
            groups.setdefault(item.conversation or f"#{i}", []).append(item)
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            done = {id(o.item): o for batch in pool.map(one, groups.values()) for o in batch}
        return [done[id(item)] for item in items]


def make_client(
    base_url: str, api_key: str | None = None, timeout_s: float = 120.0
) -> httpx.Client:
    """An HTTP client for the server at `base_url`, with the API key when one is set."""
    headers = {"Authorization": f"Bearer {api_key}", "X-API-Key": api_key} if api_key else {}
    return httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)
