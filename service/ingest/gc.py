"""Garbage collection: versions and revisions that no recent version names.

A version record is kept while it is one of the last `KEEP` versions, while it was live
less than `gc_grace_s` ago (its successor is younger than that), or while a writer that
started from it is still at work; so are all versions above the oldest one kept. A
revision is garbage once no kept version names it. This process's own slots are handed
back for reuse (`store/slots.py`) at every run, unless a writer of this process is filling
them; the process knows what it wrote into them, so that costs no read. Every
`SCAN_EVERY_S`, a run also reads all document records to find the revisions of processes
that are gone (the write lease is older than `lease_ttl_s`, and so is the revision), and
deletes them; those of other live processes are left to them.
The grace period spares readers a second read, nothing more: a reader that finds what it
read collected under it reads the live version again (`qa/snapshot.py`). So the grace is 0
by default, and what the slots hold stays near the last `KEEP` versions' revisions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from service.store.reader import IndexReader, batches, revs_filter
from service.store.versions import VersionGone

log = logging.getLogger(__name__)

KEEP = 3
SCAN_EVERY_S = 60.0  # how often a process looks for the leftovers of processes that are gone


@dataclass
class GcReport:
    versions: list[int] = field(default_factory=list)
    revs: list[str] = field(default_factory=list)


def collect_garbage(reader: IndexReader, force: bool = False) -> GcReport | None:
    """Collect at most every grace/2 (30 s at most) per reader, or now (and with a scan for
    gone processes' leftovers) with `force`."""
    grace = reader.settings.gc_grace_s
    every = min(grace / 2, 30.0)
    last = reader.last_gc
    now = time.monotonic()
    if not force and last is not None and now - last < every:
        return None
    reader.last_gc = now
    scan = force or reader.last_scan is None or now - reader.last_scan >= SCAN_EVERY_S
    if scan:
        reader.last_scan = now
    try:
        return _collect(reader, grace, scan)
    except VersionGone:  # another collector ran at the same time; the next run finishes
        return None
    except Exception:  # collection is housekeeping: a failure must not fail the write
        log.warning("garbage collection failed", exc_info=True)
        return None


def _collect(reader: IndexReader, grace: float, scan: bool) -> GcReport:
    now = time.time()
    cutoff = now - grace
    gone_before = now - reader.settings.lease_ttl_s
    versions_log = reader.versions
    report = GcReport()
    versions = sorted(versions_log.all_versions(), key=lambda v: v.seq)
    if not versions:
        return report
    leases = versions_log.leases()
    alive = {owner for owner, (_, updated) in leases.items() if updated >= gone_before}
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
    mine = reader.slots.unnamed(live)  # this process's slots whose revision is garbage
    freed = reader.slots.free(mine)
    report.revs = sorted({rev for _, rev in mine})
    gone = _gone_revisions(reader, live, alive, gone_before) if scan else []
    for part in batches(gone):  # chunks first: a revision's record outlives its chunks
        reader.conn.delete(reader.layout.chunks, True, where=revs_filter(part))
        reader.conn.delete(reader.layout.docs, where=revs_filter(part))
    report.revs += gone
    stale = [f"lease-{o}" for o in leases if o not in alive]
    if scan and stale:
        reader.conn.delete(reader.layout.meta, ids=stale)
    if dropped or gone or freed:
        log.info(
            "collected %d versions, deleted %d revisions, %d slots free for reuse",
            len(dropped),
            len(gone),
            freed,
        )
    return report


def _gone_revisions(
    reader: IndexReader, live: set[str], alive: set[str], gone_before: float
) -> list[str]:
    """Revisions no kept version names, written by processes that are gone (all document
    records read)."""
    got = reader.conn.get(reader.layout.docs, include=["metadatas"])
    gone: list[str] = []
    for meta in got["metadatas"] or []:
        rev, owner = str(meta.get("rev")), str(meta.get("owner"))
        old = float(str(meta.get("created") or 0.0)) < gone_before
        if rev not in live and owner not in alive and old:
            gone.append(rev)
    return gone
