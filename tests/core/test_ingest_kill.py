"""`kill -9` of `ragqa ingest` half-way through a 300-document corpus: the previous version
stays live and fully answerable, and the next ingest completes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.cli import main
from service.core.config import Settings
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "article-2023-03-25.txt"
CORPUS = 300
QUESTION = "Who was invited to lunch with European government leaders?"


def _ingest(*args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.Popen(
        [sys.executable, "-m", "service", "ingest", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for i in range(CORPUS):
        (folder / f"station-{i:03d}.txt").write_text(
            f"Weather station {i} stands on hill {i * 7}. It records rain every {i % 9 + 1} hours.",
            encoding="utf-8",
        )
    return folder


def _kill_half_way(proc: subprocess.Popen[bytes]) -> int:
    """Read the progress bar; SIGKILL once at least a third of the chunks are embedded."""
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        data = os.read(proc.stderr.fileno(), 4096)
        if not data:
            break
        seen += data
        progress = re.findall(rb"(\d+)/(\d+)", seen)
        if progress:
            done, total = map(int, progress[-1])
            if total >= CORPUS and 3 * done >= total:
                assert done < total, "the ingest finished before it could be killed"
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return done
    pytest.fail(f"no progress seen: {seen[-500:]!r}")


def test_sigkill_half_way_keeps_the_previous_version(tmp_path: Path) -> None:
    index_dir = str(tmp_path / "ix")
    first = _ingest(str(SEED), "--index-dir", index_dir, "--quiet")
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out
    version = re.search(rb"index (\S+):", out)
    assert version is not None
    previous = version.group(1).decode()

    killed = _ingest(str(_corpus(tmp_path / "corpus")), "--index-dir", index_dir)
    done = _kill_half_way(killed)
    assert killed.returncode == -signal.SIGKILL and done > 0

    settings = Settings(index_dir=Path(index_dir), chroma_host=None, provider="extractive")
    reader = IndexReader(open_client(settings), MiniLMEmbeddings(), settings)
    assert reader.current_version() == previous
    assert set(reader.documents()) == {"article-2023-03-25"}
    rows = reader.version_chunk_rows()
    text = SEED.read_text(encoding="utf-8")
    assert rows.ids and all(
        text[int(m["start"]) : int(m["end"])] == t
        for t, m in zip(rows.texts, rows.metadatas, strict=True)
    )
    answer = QAPipeline(settings, reader, ExtractiveAnswerer()).ask(QUESTION)
    assert answer.answerable and "Guterres" in answer.answer
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)

    assert main(["ingest", str(tmp_path / "corpus"), "--index-dir", index_dir, "--quiet"]) == 0
    assert len(reader.documents()) == CORPUS + 1
    later = QAPipeline(settings, reader, ExtractiveAnswerer()).ask(
        "Which weather station stands on hill 1449?"
    )
    assert later.answerable and later.citations[0].doc_id == "station-207"
