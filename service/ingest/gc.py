"""Garbage collection: versions and revisions that no recent version names.

A version record is kept while it is one of the last `KEEP` versions, while it was live
less than `gc_grace_s` ago (its successor is younger than that), or while a writer that
started from it still holds a lease. A revision is kept while a kept version names it, while
it is younger than the grace period, or while the writer that made it holds a lease.
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
    log_ = reader.versions
    report = GcReport()
    versions = sorted(log_.all_versions(), key=lambda v: v.seq)
    if not versions:
        return report
    leases = log_.leases()
    active = {t: base for t, (base, updated) in leases.items() if updated >= cutoff}
    floor = min(active.values(), default=versions[-1].seq + 1)
    head = versions[-1].seq
    created = {v.seq: v.created for v in versions}
    kept = [
        v
        for v in versions
        if v.seq > head - KEEP or v.seq >= floor or created.get(v.seq + 1, now) >= cutoff
    ]
    dropped = [v.seq for v in versions if v not in kept]
    live: set[str] = set()
    for v in kept:
        live.update(log_.manifest(v).values())
    log_.delete(dropped)
    report.versions = dropped
    got = reader.conn.get(reader.layout.docs, include=["metadatas"])
    dead = [
        rid
        for rid, meta in zip(got["ids"], got["metadatas"] or [], strict=True)
        if rid not in live
        and float(str(meta.get("created") or 0.0)) < cutoff
        and str(meta.get("writer")) not in active
    ]
    for part in batches(dead):  # chunks first: a revision's record outlives its chunks
        reader.conn.delete(reader.layout.chunks, True, where=revs_filter(part))
        reader.conn.delete(reader.layout.docs, ids=part)
    report.revs = dead
    stale = [f"lease-{t}" for t, (_, updated) in leases.items() if updated < cutoff]
    if stale:
        reader.conn.delete(reader.layout.meta, ids=stale)
    if dropped or dead:
        log.info("collected %d versions and %d revisions", len(dropped), len(dead))
    return report
