"""A real `ragqa serve` child process over a fresh index built from `seeds/`, for benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

from service.evaluation.bench.http import free_port, stop_process, wait_ready

ROOT = Path(__file__).resolve().parents[1]


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
        self.port = free_port()
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
            stop_process(self._proc)
        if self._log is not None:
            self._log.close()
        self._tmp.cleanup()
