"""Version manifests stored as changes.

A version's manifest (`{doc_id: rev}`) names every document, so storing it whole in each
version record costs the whole index's ids per write (about 40 bytes a document, stored
twice by Chroma: the metadata row and its string index), kept for the grace period. So a
version record holds either the whole manifest (a *checkpoint*: `manifest`, `base` = its own
seq) or only its change from the version before it (`delta`: `{doc_id: rev}`, `null` for a
removed document; `parent`: the token of that version; `base`: the checkpoint the chain
starts from). A writer writes a checkpoint every `CHECKPOINT_EVERY` versions, when it does not
know the parent's manifest, or when the change is not much smaller than the whole; garbage
collection turns the oldest version it keeps into a checkpoint before it deletes those below
(`VersionLog.make_checkpoint`), so every kept version can be rebuilt from kept records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

CHECKPOINT_EVERY = 32


class VersionGone(LookupError):
    """A version's record was collected; re-resolve the current version."""


@dataclass(frozen=True)
class Known:
    """A manifest this process has read or written: version `seq` with `token`, whose chain
    starts at checkpoint `base`."""

    seq: int
    token: str
    base: int
    manifest: dict[str, str]


def stored_fields(seq: int, manifest: dict[str, str], parent: Known | None) -> dict[str, Any]:
    """The metadata fields that store `manifest` for version `seq` (`parent`: version
    `seq - 1`'s manifest, when known)."""
    whole = json.dumps(manifest, sort_keys=True)
    if parent is not None and parent.seq == seq - 1 and seq - parent.base < CHECKPOINT_EVERY:
        change: dict[str, str | None] = {
            d: r for d, r in manifest.items() if parent.manifest.get(d) != r
        }
        change.update({d: None for d in parent.manifest if d not in manifest})
        delta = json.dumps(change, sort_keys=True)
        if len(delta) * 2 < len(whole):
            return {"delta": delta, "parent": parent.token, "base": parent.base}
    return {"manifest": whole, "base": seq}


def checkpoint_fields(seq: int, manifest: dict[str, str]) -> dict[str, Any]:
    """Fields that turn version `seq`'s record into a checkpoint (None removes a field)."""
    return {"manifest": json.dumps(manifest, sort_keys=True), "base": seq, "delta": None}


def is_checkpoint(meta: Any) -> bool:
    return "manifest" in meta


def base_of(meta: Any, seq: int) -> int:
    """The seq where the chain of a record starts (records written before deltas: itself)."""
    return seq if is_checkpoint(meta) else int(meta.get("base", seq))


def apply_change(parent: dict[str, str], meta: Any) -> dict[str, str]:
    """The manifest of a delta record, on its parent's manifest."""
    manifest = dict(parent)
    for doc_id, rev in json.loads(str(meta["delta"])).items():
        if rev is None:
            manifest.pop(doc_id, None)
        else:
            manifest[doc_id] = str(rev)
    return manifest


def rebuild(seq: int, records: dict[int, Any], known: Known | None = None) -> dict[str, str]:
    """The manifest of version `seq` from `records` (`{seq: metadata}`, from its checkpoint
    up to `seq`), or from `known` when that is the parent of a link. `VersionGone` when a link
    is missing or names another parent."""
    links: list[Any] = []
    at = seq
    while True:
        meta = records.get(at)
        if meta is None:
            raise VersionGone(f"version {at}, on the way to version {seq}, is no longer stored")
        if is_checkpoint(meta):
            manifest: dict[str, str] = dict(json.loads(str(meta["manifest"])))
            break
        links.append(meta)
        parent_token = str(meta.get("parent"))
        if known is not None and known.seq == at - 1 and known.token == parent_token:
            manifest = dict(known.manifest)
            break
        parent = records.get(at - 1)
        if parent is not None and str(parent["token"]) != parent_token:
            raise VersionGone(f"version {at - 1} is not the one version {at} was built on")
        at -= 1
    for link in reversed(links):
        manifest = apply_change(manifest, link)
    return manifest
