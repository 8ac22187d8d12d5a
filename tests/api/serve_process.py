"""`ragqa serve` as a real child process (its own uvicorn set-up and logging), on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import httpx

from service.evaluation.bench.http import free_port, stop_process, wait_ready

ROOT = Path(__file__).resolve().parents[2]


def ingest_seeds(index_dir: Path) -> None:
    """Build an index from `seeds/` with the real `ragqa ingest`."""
    command = [sys.executable, "-m", "service", "ingest", str(ROOT / "seeds"), "--quiet"]
    subprocess.run(
        [*command, "--index-dir", str(index_dir)],
        check=True,
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        timeout=300,
    )


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without `RAG_*` variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return {**env, **settings}


class ServeProcess:
    """`python -m service serve --provider extractive` with `settings` as `RAG_*` variables;
    its stdout and stderr (the access log included) go to `log_path`."""

    def __init__(self, index_dir: Path, log_path: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        command = [sys.executable, "-m", "service", "serve", "--provider", "extractive"]
        command += ["--index-dir", str(index_dir), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=clean_env(**settings),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout_s: float = 120) -> ServeProcess:
        try:
            wait_ready(self.url, self.proc, timeout_s)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {self.log()}") from exc
        return self

    def client(self, source: str = "127.0.0.1", **kwargs: Any) -> httpx.Client:
        """A client whose requests come from the loopback address `source` (any 127.x.y.z)."""
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=self.url, timeout=30, transport=transport, **kwargs)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        """Stop the server (SIGTERM) and return everything it logged."""
        stop_process(self.proc)
        self._log.close()
        return self.log_path.read_text(encoding="utf-8", errors="replace")
