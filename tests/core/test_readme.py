"""The README documents every setting and the commands the contract names."""

from __future__ import annotations

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
