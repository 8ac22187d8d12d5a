"""A real `ragqa serve` child process over a fresh index built from `seeds/`, for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from service.evaluation.bench.http import stop_process

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait until the server at `url` answers `/readyz` with 200; RuntimeError when its
    process `proc` exits first or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ragqa serve exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"ragqa serve was not ready in {timeout_s:g} s")


stop = stop_process  # SIGTERM (a graceful shutdown), then SIGKILL after 20 s


class LiveServer:
    """`with LiveServer("extractive") as server:` ingests `seeds/` into a temporary index with
    `ragqa ingest`, serves it with `ragqa serve`, and waits until `/readyz` says ready.

    `settings` become `RAG_*` variables (other `RAG_*` variables of this environment are
    dropped); the server's output goes to `log_path` (default: inside the temporary folder).
    """

    def __init__(
        self,
        provider: str,
        log_path: Path | None = None,
        ready_timeout_s: float = 300,
        **settings: str,
    ) -> None:
        self.provider = provider
        self.settings = settings
        self.ready_timeout_s = ready_timeout_s
        self._tmp = tempfile.TemporaryDirectory(prefix="ragqa-live-")
        self.index_dir = Path(self._tmp.name) / "index"
        self.log_path = log_path or Path(self._tmp.name) / "serve.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        return {**env, **{f"RAG_{k.upper()}": v for k, v in self.settings.items()}}

    def __enter__(self) -> LiveServer:
        cli = [sys.executable, "-m", "service"]
        index = ["--index-dir", str(self.index_dir)]
        subprocess.run(
            [*cli, "ingest", str(ROOT / "seeds"), "--quiet", *index],
            check=True,
            cwd=ROOT,
            env=self._env(),
            capture_output=True,
        )
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            [*cli, "serve", "--provider", self.provider, "--port", str(self.port), *index],
            cwd=ROOT,
            env=self._env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(self.url, self._proc, self.ready_timeout_s)
        except RuntimeError as exc:
            self.__exit__(None, None, None)
            raise RuntimeError(f"{exc}; see {self.log_path}") from exc
        return self

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (Linux)."""
        assert self._proc is not None
        status = Path(f"/proc/{self._proc.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return round(kb / 1024, 1)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc is not None:
            stop(self._proc)
        if self._log is not None:
            self._log.close()
        self._tmp.cleanup()
