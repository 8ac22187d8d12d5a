"""The real app (page, API, pipeline, verifier) over a real index, with a fake chat model that
writes a fixed reply word by word, slowly: a stand-in for a model that makes things up.

    python tests/browser/fake_model_server.py --index-dir DIR --reply TEXT [--delay S] --port N
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from service.answerers.llm import LLMAnswerer
from service.api.app import create_app
from service.core.config import Settings
from service.qa.pipeline import QAPipeline
from service.wiring import open_index


class SlowFakeChat(GenericFakeChatModel):
    """Streams its reply one word at a time, `delay` seconds apart."""

    delay: float = 0.1

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, *args, **kwargs):
            time.sleep(self.delay)
            yield chunk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--reply", required=True)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings(index_dir=args.index_dir, rate_limit_per_minute=0, provider="extractive")
    chat = SlowFakeChat(messages=itertools.cycle([AIMessage(content=args.reply)]), delay=args.delay)
    answerer = LLMAnswerer("fake", chat, model="fake-model")
    index = open_index(settings)
    app = create_app(settings, lambda s: QAPipeline(s, index, answerer))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
