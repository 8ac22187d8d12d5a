"""The LLM judge checker: claim by claim support verdicts from an OpenAI-compatible model."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from service.core.config import Settings

PROMPT = """You check whether a claim is supported by the context.
First break the claim into short, simple statements. Then, for each statement, decide
whether the context states it or directly implies it (yes) or not (no).
Answer with JSON only, in this form:
{{"statements": [{{"statement": "...", "supported": "yes"}}], "verdict": "yes"}}
The verdict is "yes" only when every statement is supported.

Context:
{context}

Claim: {claim}
JSON:"""

Complete = Callable[[str], str]
_JSON = re.compile(r"\{.*\}", re.DOTALL)
_VERDICT = re.compile(r'"?verdict"?\s*[:=]\s*"?(yes|no|true|false)', re.IGNORECASE)


def _yes(value: Any) -> bool:
    return str(value).strip().lower() in {"yes", "true", "1", "supported"}


def parse_verdict(reply: str) -> bool:
    """Read the judge's reply: all statements supported (or the verdict), else False."""
    match = _JSON.search(reply)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            statements = data.get("statements")
            if isinstance(statements, list) and statements:
                return all(isinstance(s, dict) and _yes(s.get("supported")) for s in statements)
            if "verdict" in data:
                return _yes(data["verdict"])
    found = _VERDICT.search(reply)
    return bool(found and _yes(found.group(1)))


def openai_completer(settings: Settings, http_client: httpx.Client | None = None) -> Complete:
    """A completion function over the configured OpenAI-compatible chat model."""
    from service.answerers.openai import make_openai_chat

    chat = make_openai_chat(settings, max_tokens=400, http_client=http_client, require_key=False)

    def complete(prompt: str) -> str:
        content = chat.invoke(prompt).content
        return content if isinstance(content, str) else json.dumps(content)

    return complete


class LLMJudge:
    """RAGAS-style faithfulness verdicts; replies are cached per claim and context."""

    name = "llm"

    def __init__(self, complete: Complete) -> None:
        self.complete = complete
        self._cache: dict[str, bool] = {}
        self.failures = 0  # judge calls that failed (timeout, bad endpoint): counted unsupported

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        if not passages:
            return False
        numbered = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
        if context.strip():
            numbered = f"(Text before the passages: {' '.join(context.split())})\n\n{numbered}"
        context = numbered
        key = hashlib.sha256(f"{claim}\0{context}".encode()).hexdigest()
        if key not in self._cache:
            try:
                reply = self.complete(PROMPT.format(context=context, claim=claim))
            except Exception:  # one failed verdict must not end a whole evaluation run
                self.failures += 1
                return False
            self._cache[key] = parse_verdict(reply)
        return self._cache[key]
