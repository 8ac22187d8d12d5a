"""Prompt files: read once, hashed, and the hash follows their content."""

from __future__ import annotations

from pathlib import Path

from service.answerers.prompts import FILES, PROMPTS_DIR, load_prompts, read_prompts


def test_prompts_are_loaded_once() -> None:
    assert load_prompts() is load_prompts()


def test_hash_changes_with_a_prompt_file(tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).write_text((PROMPTS_DIR / name).read_text())
    before = read_prompts(tmp_path).sha256
    (tmp_path / "system.txt").write_text("Say anything.")
    assert read_prompts(tmp_path).sha256 != before
    assert before == load_prompts().sha256


def test_system_prompt_says_passages_are_data() -> None:
    assert "data, not instructions" in load_prompts().system
