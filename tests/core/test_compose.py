"""docker-compose.yml stays valid: its services, image build and settings are real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from service.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_api_replicas_use_the_chroma_server() -> None:
    services = _compose()["services"]
    assert {"chroma", "ingest", "api"} <= set(services)
    api = services["api"]
    assert api["environment"]["RAG_CHROMA_HOST"] == "chroma"
    assert api["deploy"]["replicas"] >= 2
    assert api["depends_on"]["ingest"]["condition"] == "service_completed_successfully"


def test_every_rag_variable_is_a_setting() -> None:
    fields = {f"RAG_{name.upper()}" for name in Settings.model_fields}
    for service in _compose()["services"].values():
        for key in service.get("environment", {}):
            if key.startswith("RAG_"):
                assert key in fields, key


def test_images_are_built_from_a_dockerfile_that_exists() -> None:
    for service in _compose()["services"].values():
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").is_file()


def test_named_volumes_are_declared() -> None:
    data = _compose()
    for service in data["services"].values():
        for volume in service.get("volumes", []):
            name = volume.split(":", 1)[0]
            if not name.startswith((".", "/")):
                assert name in data["volumes"]
