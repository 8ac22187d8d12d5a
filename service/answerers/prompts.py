"""The prompt files under `prompts/`: loaded once, hashed, never changed by a client."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from service.core.types import Evidence

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
FILES = ("system.txt", "answer.txt", "rewrite.txt")


@dataclass(frozen=True)
class Prompts:
    """The prompt texts and one hash over all of them (reported in `/readyz`)."""

    system: str
    answer: str
    rewrite: str
    sha256: str

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the hash, enough to tell versions apart."""
        return self.sha256[:12]


def read_prompts(directory: Path = PROMPTS_DIR) -> Prompts:
    """Read and hash the prompt files of `directory` (fails loudly when one is missing)."""
    texts = {name: (directory / name).read_text(encoding="utf-8") for name in FILES}
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return Prompts(
        system=texts["system.txt"].strip(),
        answer=texts["answer.txt"].strip(),
        rewrite=texts["rewrite.txt"].strip(),
        sha256=digest.hexdigest(),
    )


@lru_cache(maxsize=1)
def load_prompts() -> Prompts:
    """The project's prompts, read once per process."""
    return read_prompts()


def prompt_hash() -> str:
    """The hash of the prompt files in use."""
    return load_prompts().sha256


def new_marker() -> str:
    """A per-request random delimiter for spotlighting; documents cannot know it in advance."""
    return f"<<{secrets.token_hex(4)}>>"


def format_passages(evidence: list[Evidence], marker: str) -> str:
    """Number the passages `[n] text`, one per line, with any copy of the marker removed."""
    bare = marker.strip("<>")
    lines = []
    for e in evidence:
        text = " ".join(e.text.split()).replace(marker, "").replace(bare, "")
        lines.append(f"[{e.number}] {text}")
    return "\n".join(lines)
