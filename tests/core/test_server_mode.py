"""Server mode: a real `chroma run` server shared by two stateless pipeline replicas."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings
from service.core.documents import make_document, read_document
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _replica(port: int, embedder: MiniLMEmbeddings) -> QAPipeline:
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port, index_dir=Path("unused"))
    return QAPipeline(
        settings, IndexReader(open_client(settings), embedder, settings), ExtractiveAnswerer()
    )


def test_replicas_share_one_chroma_server(chroma_server: int, embedder: MiniLMEmbeddings) -> None:
    first = _replica(chroma_server, embedder)
    second = _replica(chroma_server, embedder)
    IndexBuilder(first.index).apply([read_document(SEED)])
    answer = second.ask("Who was invited to lunch with European government leaders?")
    assert answer.answerable and "Guterres" in answer.answer
    text = SEED.read_text(encoding="utf-8")
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)

    # a document added through one replica is answerable through the other
    note = "The Okapi Festival takes place in the town of Marlow every June."
    IndexBuilder(first.index).apply([make_document(note, doc_id="okapi-note")])
    later = second.ask("In which town does the Okapi Festival take place?")
    assert later.answerable and "Marlow" in later.answer
    assert later.citations[0].doc_id == "okapi-note"
