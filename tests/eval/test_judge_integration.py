"""The LLM judge against a real OpenAI-compatible server: llama.cpp's with the bundled model."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from service.core.config import Settings
from service.evaluation.checkers import AgreementChecker, LexicalChecker
from service.evaluation.judge import LLMJudge, openai_completer

pytestmark = pytest.mark.integration

PASSAGE = (
    "After a state banquet in Moscow, Chinese President Xi Jinping bid his host a friendly "
    "farewell on Tuesday."
)
Server = tuple[str, "subprocess.Popen[bytes]"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def judge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`python -m llama_cpp.server` with the bundled GGUF; skipped where llama.cpp cannot run."""
    from service.answerers.local import bundled_model_path

    port = _free_port()
    log_path: Path = tmp_path_factory.mktemp("judge") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(bundled_model_path()),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        "2",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + 90
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log_path}")
            yield base_url, proc
        finally:
            _stop(proc)


def test_judge_gives_one_verdict_per_claim_through_the_server(judge_server: Server) -> None:
    base_url, proc = judge_server
    settings = Settings(
        openai_base_url=base_url,
        openai_model="smollm2",
        openai_api_key=SecretStr("sk-local"),
        model_timeout_s=120,
    )
    checker = AgreementChecker(LLMJudge(openai_completer(settings)), LexicalChecker())
    claims = ("Xi Jinping bid his host farewell on Tuesday.", "Putin visited Paris in 1999.")
    try:
        verdicts = [checker.supports(claim, [PASSAGE]) for claim in claims]
    except Exception:
        time.sleep(1)
        if proc.poll() == -signal.SIGILL:
            pytest.skip("llama.cpp died with SIGILL: its build does not run on this CPU")
        raise
    assert all(isinstance(v, bool) for v in verdicts)
    assert checker.summary()["decisions"] == 2
