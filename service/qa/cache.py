"""Answer cache keyed by (normalised question, history, index version, provider, prompt hash)."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence

from service.core.schemas import Answer, Token, Turn

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s?.!]+$")


def normalise_question(question: str) -> str:
    """Case, Unicode form, spacing and trailing punctuation do not make a new question."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return _TRAILING.sub("", _SPACE.sub(" ", text).strip())


def cache_key(
    question: str,
    index_version: str | None,
    provider: str,
    prompt_hash: str,
    history: Sequence[Turn] = (),
) -> str:
    """A stable key; a follow-up's history is part of it, so context changes the key."""
    parts = [normalise_question(question), index_version or "", provider, prompt_hash]
    parts += [f"{t.role}:{normalise_question(t.content)}" for t in history]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class AnswerCache:
    """A bounded, thread-safe LRU of verified answers (with the tokens they were streamed
    as, so a repeated question streams the same way); hands out copies."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, tuple[Answer, list[Token]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Answer | None:
        """A copy of the cached answer, or None."""
        found = self.get_streamed(key)
        return found[0] if found else None

    def get_streamed(self, key: str) -> tuple[Answer, list[Token]] | None:
        """Copies of the cached answer and of its tokens, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            answer, tokens = item
            return answer.model_copy(deep=True), [t.model_copy(deep=True) for t in tokens]

    def put(self, key: str, answer: Answer, tokens: Sequence[Token] = ()) -> None:
        """Remember `answer` and `tokens` (copies), dropping the least recently used beyond
        the bound."""
        if self.max_entries <= 0:
            return
        with self._lock:
            copies = [t.model_copy(deep=True) for t in tokens]
            self._items[key] = (answer.model_copy(deep=True), copies)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
