"""Real processes for replica drills, tests and benchmarks: a `chroma run` server that can be
stopped, frozen and restarted on the same port and data, and `ragqa serve` replicas."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from service.evaluation.bench.http import free_port, stop_process


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def folder_bytes(path: Path) -> int:
    """Bytes in all files under `path`."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _wait(url: str, timeout_s: float, ok: tuple[int, ...] = (200,)) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code in ok:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer {ok} within {timeout_s:g} s")


class _Process:
    proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
        self.proc = None

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class ChromaServer(_Process):
    """`chroma run --path DIR --port N`; restarts keep the port and the data."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.log: IO[bytes] | None = None

    def start(self, timeout_s: float = 60) -> ChromaServer:
        exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        self.path.mkdir(parents=True, exist_ok=True)
        self.log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [exe, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout_s)
        return self

    def freeze(self) -> None:
        """SIGSTOP: the port stays open, nothing answers."""
        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.pid, signal.SIGCONT)


class Replica(_Process):
    """`python -m service serve` (extractive) on a free port, using the Chroma server on
    `chroma_port` (None: the embedded index in `workdir/index`)."""

    def __init__(self, chroma_port: int | None, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        where = (
            {"RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(chroma_port)}
            if chroma_port
            else {"RAG_INDEX_DIR": str(workdir / "index")}
        )
        self.env = {
            **where,
            "RAG_PROVIDER": "extractive",
            "RAG_RATE_LIMIT_PER_MINUTE": "0",
            **env,
        }

    def start(self, timeout_s: float = 120) -> Replica:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env.update(self.env)
        env.pop("RAG_API_KEY", None)
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"replica-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(self.port)],
            env=env,
            cwd=Path(__file__).resolve().parents[1],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait(f"{self.url}/readyz", timeout_s)
        return self

    def client(self, timeout_s: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout_s)
