"""`Annotated` dependencies that hand routes the app's state, settings and pipeline."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from service.api.calls import Caller
from service.api.metrics import Metrics
from service.api.state import AppState
from service.core.config import Settings
from service.core.errors import NotReadyError
from service.qa.pipeline import QAPipeline


def get_state(request: Request) -> AppState:
    return cast(AppState, request.app.state.ragqa)


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_pipeline(state: StateDep) -> QAPipeline:
    if state.pipeline is None:
        raise NotReadyError("the index and model are still loading")
    return state.pipeline


def get_metrics(state: StateDep) -> Metrics:
    return state.metrics


def get_caller(state: StateDep) -> Caller:
    return state.caller


SettingsDep = Annotated[Settings, Depends(get_settings)]
PipelineDep = Annotated[QAPipeline, Depends(get_pipeline)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
CallerDep = Annotated[Caller, Depends(get_caller)]
