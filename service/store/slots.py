"""Record ids that this process owns and reuses.

chromadb 1.5.9 never reuses the space of a deleted vector (measured: deleting a record and
adding one, even under the same id, grows the collection's files by one graph entry each
time), while updating a record in place costs nothing. So document and chunk records live in
*slots*: ids `<owner>-d<n>` / `<owner>-c<n>` owned by one process, written with upsert. Slots
whose revision no recent version names are handed back here by garbage collection and
overwritten by the next new revision; only the owner writes its slots, so two replicas never
write the same id. Slots of a process that is gone are deleted by the others' collection.
"""

from __future__ import annotations

import threading
import uuid


class Slots:
    """This process's slots: free ones, ones being written, and what each one holds."""

    def __init__(self) -> None:
        self.owner = uuid.uuid4().hex[:12]
        self._free: dict[str, set[str]] = {"d": set(), "c": set()}
        self._in_use: set[str] = set()
        self._holds: dict[str, str] = {}  # slot -> the revision this process wrote into it
        self._next = 0
        self._writers: dict[str, int] = {}  # token -> base version of writers in flight
        self._lock = threading.Lock()

    def take(self, kind: str, n: int) -> list[str]:
        """`n` slot ids of `kind` ("d" documents, "c" chunks): free ones first, then new."""
        with self._lock:
            free = self._free[kind]
            taken = [free.pop() for _ in range(min(n, len(free)))]
            while len(taken) < n:
                taken.append(f"{self.owner}-{kind}{self._next}")
                self._next += 1
            self._in_use.update(taken)
            return taken

    def wrote(self, slot: str, rev: str) -> None:
        with self._lock:
            self._holds[slot] = rev

    def release(self, slots: list[str]) -> None:
        """The writer of `slots` is done (committed or not)."""
        with self._lock:
            self._in_use.difference_update(slots)

    def unnamed(self, live: set[str]) -> list[tuple[str, str]]:
        """`(slot, rev)` of this process's slots holding a revision not in `live` (and not
        handed back already)."""
        with self._lock:
            free = self._free["d"] | self._free["c"]
            return [(s, rev) for s, rev in self._holds.items() if rev not in live and s not in free]

    def free(self, dead: list[tuple[str, str]]) -> int:
        """Hand back slots seen holding a dead revision, `(slot, rev)`, unless they have been
        rewritten since or are being written now. Returns how many became free."""
        with self._lock:
            ok = [s for s, rev in dead if self._holds.get(s) == rev and s not in self._in_use]
            for s in ok:
                self._free[self.kind(s)].add(s)
            return len(ok)

    def kind(self, slot: str) -> str:
        """What `slot` (one of this process's) holds: "d" documents or "c" chunks."""
        return slot.removeprefix(f"{self.owner}-")[0]

    def start_writer(self, token: str, base: int) -> int:
        """Register a writer working from version `base` (or a reader reading it); returns
        the lease base."""
        with self._lock:
            self._writers[token] = base
            return min(self._writers.values())

    def end_writer(self, token: str) -> int:
        """Unregister a writer; returns the lease base (-1: none in flight)."""
        with self._lock:
            self._writers.pop(token, None)
            return min(self._writers.values(), default=-1)
