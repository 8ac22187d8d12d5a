"""Choose the answerer named by the `provider` setting."""

from __future__ import annotations

from service.answerers.base import Answerer
from service.answerers.extractive import ExtractiveAnswerer
from service.config import Settings


def make_answerer(settings: Settings) -> Answerer:
    """The answerer for `settings.provider` (models load here, once)."""
    if settings.provider == "extractive":
        return ExtractiveAnswerer()
    raise ValueError(f"provider {settings.provider!r} is not available yet")
