"""The README documents every setting and the commands the contract names."""

from __future__ import annotations

import re
from pathlib import Path

from service.cli import build_parser
from service.core.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    for name in Settings.model_fields:
        assert f"RAG_{name.upper()}" in README, name


def test_every_command_is_documented() -> None:
    parser = build_parser()
    assert parser._subparsers is not None
    commands = parser._subparsers._group_actions[0].choices
    assert commands is not None
    for command in commands:
        assert f"ragqa {command}" in README, command


def test_make_run_port_is_documented() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?=" in makefile and "--port $(PORT)" in makefile
    assert "make run PORT=" in README


def test_readme_and_makefile_give_the_same_build_time() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    pattern = re.compile(r"took about (\d+(?:\.\d+)?) minutes")
    in_readme = pattern.findall(" ".join(README.split()))
    in_makefile = pattern.findall(makefile)
    assert in_readme and in_makefile and set(in_readme) == set(in_makefile)
    assert not re.search(r"\d+ (?:to|-) ?\d+ minutes", README + makefile)


def test_stream_events_are_documented() -> None:
    """The contract section names every SSE event and the fields of a `token`."""
    section = README[README.index("### Streaming: only verified text") :]
    for name in ("`token`", "`answer`", "`error`", '"citations"', "`usage`", "first_token"):
        assert name in section, name
