"""Garbage collection: versions and revisions that no recent version names.

A version record is kept while it is one of the last `KEEP` versions, while it was live
less than `gc_grace_s` ago (its successor is younger than that), or while a writer that
started from it is still at work; so are all versions above the oldest one kept. A
revision is garbage once no kept version names it and it is older than the grace period:
this process's own slots are handed back for reuse
(`store/slots.py`), those of a process whose lease is older than the grace period are
deleted, and those of other live processes are left to them.
Readers that cached something collected re-resolve the live version (`qa/snapshot.py`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from service.store.reader import IndexReader, batches, revs_filter
from service.store.versions import VersionGone

log = logging.getLogger(__name__)

KEEP = 3


@dataclass
class GcReport:
    versions: list[int] = field(default_factory=list)
    revs: list[str] = field(default_factory=list)


def collect_garbage(reader: IndexReader, force: bool = False) -> GcReport | None:
    """Collect at most every grace/2 (30 s at most) per reader, or now with `force`."""
    grace = reader.settings.gc_grace_s
    every = min(grace / 2, 30.0)
    last = reader.last_gc
    if not force and last is not None and time.monotonic() - last < every:
        return None
    reader.last_gc = time.monotonic()
    try:
        return _collect(reader, grace)
    except VersionGone:  # another collector ran at the same time; the next run finishes
        return None
    except Exception:  # collection is housekeeping: a failure must not fail the write
        log.warning("garbage collection failed", exc_info=True)
        return None


def _collect(reader: IndexReader, grace: float) -> GcReport:
    now = time.time()
    cutoff = now - grace
    versions_log = reader.versions
    report = GcReport()
    versions = sorted(versions_log.all_versions(), key=lambda v: v.seq)
    if not versions:
        return report
    leases = versions_log.leases()
    alive = {owner for owner, (_, updated) in leases.items() if updated >= cutoff}
    alive.add(reader.slots.owner)
    bases = [base for owner, (base, _) in leases.items() if owner in alive and base >= 0]
    floor = min(bases, default=versions[-1].seq + 1)
    head = versions[-1].seq
    created = {v.seq: v.created for v in versions}
    kept = [
        v
        for v in versions
        if v.seq > head - KEEP or v.seq >= floor or created.get(v.seq + 1, now) >= cutoff
    ]
    # Manifests are stored as changes (`store/manifests.py`): the oldest kept version becomes
    # a checkpoint, then only the versions below it are deleted, so every kept one stays whole.
    oldest = min(kept, key=lambda v: v.seq)
    versions_log.make_checkpoint(oldest)
    dropped = [v.seq for v in versions if v.seq < oldest.seq]
    live: set[str] = set()
    for v in versions:
        if v.seq >= oldest.seq:
            live.update(versions_log.manifest(v).values())
    versions_log.delete(dropped)
    report.versions = dropped
    got = reader.conn.get(reader.layout.docs, include=["metadatas"])
    mine: list[tuple[str, str]] = []  # (slot, rev) of this process: handed back for reuse
    gone: list[str] = []  # revisions of processes that are gone: deleted
    for slot, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
        rev, owner = str(meta.get("rev")), str(meta.get("owner"))
        if rev in live or float(str(meta.get("created") or 0.0)) >= cutoff:
            continue
        if owner == reader.slots.owner:
            mine.append((slot, rev))
        elif owner not in alive:
            gone.append(rev)
    for part in batches(gone):  # chunks first: a revision's record outlives its chunks
        reader.conn.delete(reader.layout.chunks, True, where=revs_filter(part))
        reader.conn.delete(reader.layout.docs, where=revs_filter(part))
    freed = reader.slots.free("d", mine)
    for part in batches([rev for _, rev in mine]):
        chunks = reader.conn.get(
            reader.layout.chunks, True, where=revs_filter(part), include=["metadatas"]
        )
        pairs = zip(chunks["ids"], chunks["metadatas"] or [], strict=True)
        freed += reader.slots.free("c", [(cid, str(m["rev"])) for cid, m in pairs])
    report.revs = gone + [rev for _, rev in mine]
    stale = [f"lease-{o}" for o in leases if o not in alive]
    if stale:
        reader.conn.delete(reader.layout.meta, ids=stale)
    if dropped or gone or freed:
        log.info(
            "collected %d versions, deleted %d revisions, %d slots free for reuse",
            len(dropped),
            len(gone),
            freed,
        )
    return report
