"""`/v1/documents`: list, add (ingested at once), read with full text, remove."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Response, status

from service.api.deps import PipelineDep, StateDep
from service.api.errors import ApiError, responses
from service.api.models import (
    DocumentChange,
    DocumentIn,
    DocumentList,
    DocumentOut,
    DocumentSummary,
)
from service.core.documents import Document, make_document
from service.ingest.builder import IndexBuilder, IngestReport

router = APIRouter(prefix="/v1/documents", tags=["documents"])


def _summary(doc: Document) -> DocumentSummary:
    return DocumentSummary(
        doc_id=doc.doc_id, title=doc.title, date=doc.date, chars=len(doc.text), sha256=doc.sha256
    )


def _change(doc_id: str, report: IngestReport) -> DocumentChange:
    kind: Literal["added", "updated", "unchanged", "removed"]
    if doc_id in report.added:
        kind = "added"
    elif doc_id in report.updated:
        kind = "updated"
    elif doc_id in report.removed:
        kind = "removed"
    else:
        kind = "unchanged"
    return DocumentChange(
        doc_id=doc_id,
        status=kind,
        version=report.version or None,
        embedded=report.embedded,
        seconds=round(report.seconds, 3),
    )


def _not_found(doc_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no document with doc_id {doc_id!r}; see GET /v1/documents")


@router.get("", response_model=DocumentList, responses=responses(401, 429, 503))
async def list_documents(pipeline: PipelineDep) -> DocumentList:
    """All documents of the current index version (without their text)."""
    version, docs = await asyncio.to_thread(pipeline.index.live_documents)
    return DocumentList(
        version=version, documents=[_summary(d) for d in sorted(docs.values(), key=_doc_key)]
    )


def _doc_key(doc: Document) -> str:
    return doc.doc_id


@router.post(
    "",
    response_model=DocumentChange,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": DocumentChange, "description": "Updated or unchanged"},
        **responses(401, 409, 413, 422, 429, 503),
    },
)
async def add_document(
    body: DocumentIn, response: Response, state: StateDep, pipeline: PipelineDep
) -> DocumentChange:
    """Add or replace a document; it is answerable as soon as this returns (on every replica).

    409 when other replicas changed the index too often meanwhile: nothing was applied."""
    doc = make_document(body.text, doc_id=body.doc_id, title=body.title, source="api")
    async with state.write_lock:
        report = await asyncio.to_thread(IndexBuilder(pipeline.index).apply, upserts=[doc])
    change = _change(doc.doc_id, report)
    if change.status != "added":
        response.status_code = status.HTTP_200_OK
    return change


@router.get("/{doc_id}", response_model=DocumentOut, responses=responses(401, 404, 429, 503))
async def get_document(doc_id: str, pipeline: PipelineDep) -> DocumentOut:
    """One document with its full text (citation offsets index into `text`)."""
    _, docs = await asyncio.to_thread(pipeline.index.live_documents)
    doc = docs.get(doc_id)
    if doc is None:
        raise _not_found(doc_id)
    return DocumentOut(**_summary(doc).model_dump(), text=doc.text)


@router.delete(
    "/{doc_id}", response_model=DocumentChange, responses=responses(401, 404, 409, 429, 503)
)
async def delete_document(doc_id: str, state: StateDep, pipeline: PipelineDep) -> DocumentChange:
    """Remove a document; it is no longer cited once this returns."""
    async with state.write_lock:
        _, docs = await asyncio.to_thread(pipeline.index.live_documents)
        if doc_id not in docs:
            raise _not_found(doc_id)
        report = await asyncio.to_thread(IndexBuilder(pipeline.index).apply, deletes=[doc_id])
    if doc_id not in report.removed:  # another replica removed it first
        raise _not_found(doc_id)
    return _change(doc_id, report)
