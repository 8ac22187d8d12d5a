"""Changing the index: new revisions for changed documents, then one conditional switch.

A change writes revisions only for the documents it changes (unchanged ones keep theirs),
then claims the next version (`VersionLog.try_commit`). A writer that loses the race to
another replica re-reads the new head, re-applies its own change onto it (reusing the
revisions it already embedded) and tries again, up to a bound; then `WriteConflictError`.
A crash before the claim leaves the previous version live and whole; its leftovers are
collected later (`ingest/gc.py`).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.core.documents import Document
from service.core.errors import WriteConflictError
from service.ingest.gc import collect_garbage
from service.ingest.migrate import migrate_legacy
from service.ingest.revisions import Progress, RevInfo, RevisionWriter, rev_infos
from service.store.reader import IndexReader
from service.store.versions import LegacyIndexError, Version, VersionGone

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


@dataclass
class IngestReport:
    """What one change to the index did."""

    version: str
    previous: str | None
    changed: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0


@dataclass
class _Plan:
    """A change applied onto one head: the new manifest and what is still to be written."""

    report: IngestReport
    manifest: dict[str, str]
    to_write: list[Document]
    old: dict[str, str]  # the head's manifest
    changed: bool


class IndexBuilder:
    """Applies document changes to the index read by `reader`, one new version each."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.settings = reader.settings
        self.embedder = reader.embedder
        self.layout = reader.layout

    def fingerprint(self) -> str:
        """What makes chunks comparable: chunking settings and the embedding model."""
        s = self.settings
        return f"{self.embedder.model_id}|{s.chunk_tokens}|{s.chunk_overlap_sentences}"

    def _head(self) -> Version | None:
        try:
            return self.reader.head()
        except LegacyIndexError:
            migrate_legacy(self.reader)
            return self.reader.head()

    def apply(
        self,
        upserts: Iterable[Document] = (),
        deletes: Iterable[str] = (),
        reset: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add/replace and remove documents as one new version; no work when nothing changed."""
        started = time.perf_counter()
        upserts, deletes = list(upserts), list(deletes)
        own: dict[str, RevInfo] = {}  # doc_id -> a stored revision holding our text
        writer: RevisionWriter | None = None
        try:
            for attempt in range(MAX_ATTEMPTS):
                head = self._head()
                try:
                    plan = self._plan(head, upserts, deletes, reset, own)
                    report = plan.report
                    if not plan.changed:
                        report.seconds = time.perf_counter() - started
                        return report
                    if writer is None:
                        base = head.seq if head else 0
                        token = uuid.uuid4().hex
                        writer = RevisionWriter(self.reader, token, self.fingerprint(), base)
                    if plan.to_write:
                        for info in writer.write(plan.to_write, progress):
                            own[info.doc_id] = info
                        plan = self._plan(head, upserts, deletes, reset, own)
                except VersionGone:  # the head read was collected: 3 newer ones exist, retry
                    log.info("version %s was collected while this change was planned", head)
                    continue
                writer.keep_lease(force=True)
                seq = (head.seq if head else 0) + 1
                chunks = self._chunk_count(head, plan, own)
                won = self.reader.versions.try_commit(
                    seq, plan.manifest, self.fingerprint(), writer.token, chunks
                )
                if won is not None:
                    self.reader.remember(writer.documents)
                    collect_garbage(self.reader)
                    report = plan.report
                    report.version, report.changed = won.name, True
                    report.chunks, report.embedded = chunks, writer.embedded
                    report.seconds = time.perf_counter() - started
                    return report
                log.info("version %d was taken by another writer; retrying", seq)
                time.sleep(random.uniform(0.02, 0.1) * min(2**attempt, 10))
            raise WriteConflictError(
                f"another writer changed the index {MAX_ATTEMPTS} times while this change was "
                "being written; try again"
            )
        finally:
            if writer is not None:
                self._close(writer)

    def _close(self, writer: RevisionWriter) -> None:
        try:
            writer.close()
        except Exception:  # the lease goes stale and is collected after the grace period
            log.warning("could not update the write lease", exc_info=True)

    def _chunk_count(self, head: Version | None, plan: _Plan, own: dict[str, RevInfo]) -> int:
        """Chunks of the new version: the head's count, less the revisions it drops, plus
        the ones it adds (all of them read only when the head does not record its count)."""
        new, old = plan.manifest, plan.old
        if head is None or (head.chunks <= 0 and old):
            return sum(i.chunks for i in self._infos(new, own).values())
        gone = {d: r for d, r in old.items() if new.get(d) != r}
        came = {d: r for d, r in new.items() if old.get(d) != r}
        infos = self._infos({**{f"-{d}": r for d, r in gone.items()}, **came}, own)
        if any(r not in infos for r in [*gone.values(), *came.values()]):
            return sum(i.chunks for i in self._infos(new, own).values())
        dropped = sum(infos[r].chunks for r in gone.values())
        return head.chunks - dropped + sum(infos[r].chunks for r in came.values())

    def _infos(self, manifest: dict[str, str], own: dict[str, RevInfo]) -> dict[str, RevInfo]:
        """RevInfo of every revision in `manifest` (own ones known, others read)."""
        known = {i.rev: i for i in own.values()}
        missing = [r for r in manifest.values() if r not in known]
        return {**known, **rev_infos(self.reader, missing)} if missing else known

    def _plan(
        self,
        head: Version | None,
        upserts: list[Document],
        deletes: list[str],
        reset: bool,
        own: dict[str, RevInfo],
    ) -> _Plan:
        fp = self.fingerprint()
        old = self.reader.manifest(head) if head else {}
        report = IngestReport(
            version=head.name if head else "", previous=head.name if head else None, changed=False
        )
        restamp = head is not None and head.fingerprint != fp  # chunking changed: redo all
        wanted = set(old) if restamp or reset else {d.doc_id for d in upserts}
        infos = rev_infos(self.reader, [old[d] for d in wanted if d in old])
        manifest = {} if reset else dict(old)
        to_write: list[Document] = []
        for doc_id in deletes:
            if manifest.pop(doc_id, None) is not None:
                report.removed.append(doc_id)
        for doc in upserts:
            current = infos.get(old.get(doc.doc_id, ""))
            mine = own.get(doc.doc_id)
            if current is not None and current.holds(doc, fp):
                report.unchanged.append(doc.doc_id)
                manifest[doc.doc_id] = current.rev
                own[doc.doc_id] = current
                continue
            (report.updated if doc.doc_id in old else report.added).append(doc.doc_id)
            if mine is not None and mine.holds(doc, fp):
                manifest[doc.doc_id] = mine.rev
            else:
                to_write.append(doc)
        if reset:
            report.removed = sorted(set(old) - {d.doc_id for d in upserts})
        if restamp:  # documents not in this change, chunked the old way: chunk them again
            ids = {u.doc_id for u in upserts}
            stale = [d for d, r in manifest.items() if d not in ids and infos[r].fingerprint != fp]
            for doc in self.reader.rev_documents(manifest[d] for d in stale).values():
                mine = own.get(doc.doc_id)
                if mine is not None and mine.holds(doc, fp):
                    manifest[doc.doc_id] = mine.rev
                else:
                    to_write.append(doc)
        changed = bool(to_write) or manifest != old
        return _Plan(report, manifest, to_write, old, changed)
