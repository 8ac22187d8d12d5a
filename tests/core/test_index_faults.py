"""An index that cannot be used says what is wrong and what to run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.cli import main
from service.core.config import Settings
from service.core.errors import IndexUnavailableError
from service.evaluation.bench.http import free_port
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader


def test_a_damaged_index_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    (index_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    code = main(["ask", "Who?", "--index-dir", str(index_dir), "--provider", "extractive"])
    assert code == 2
    err = capsys.readouterr().err
    assert "damaged or not a Chroma index" in err
    assert f"ragqa ingest --index-dir {index_dir}" in err


def test_an_unreachable_server_fails_fast_and_says_where(embedder: MiniLMEmbeddings) -> None:
    port = free_port()  # nothing listens there
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port)
    reader = IndexReader(None, embedder, settings)  # opening is lazy: no error yet
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError, match=f"127.0.0.1:{port} is unreachable"):
        reader.current_version()
    assert time.monotonic() - started < 2.0
