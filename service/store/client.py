"""The Chroma client (a server when `chroma_host` is set, else the embedded store), opened
lazily, with a time limit on every server call and errors that say which part is down."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import GetResult
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError, NotFoundError

from service.core.config import Settings
from service.core.errors import IndexUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")

SYNC_EVERY = 20

# What a server that is down, frozen, restarting or overloaded raises through the client.
_TRANSPORT_ERRORS = (httpx.HTTPError, OSError, TimeoutError, InternalError)


def where_the_index_is(settings: Settings) -> str:
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"the index folder {settings.index_dir}"


def _bound_http_timeout(client: ClientAPI, timeout_s: float) -> None:
    """chromadb 1.5.9's HttpClient makes its httpx client with `timeout=None` and has no
    setting for it; set the limit on that client so a frozen server cannot hang a request."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout_s)
    else:  # pragma: no cover - a chromadb upgrade moved it; tests/api/test_replicas.py fails
        log.warning("cannot set a time limit on Chroma calls (chromadb internals changed)")


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma server client when `chroma_host` is set, else the embedded store."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        url = f"http://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat"
        # The client's constructor calls the server with no time limit: check it first.
        httpx.get(url, timeout=settings.chroma_timeout_s).raise_for_status()
        client = chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
        _bound_http_timeout(client, settings.chroma_timeout_s)
        return client
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:
        raise IndexUnavailableError(
            f"could not open the index folder {settings.index_dir} ({exc}): it is damaged or "
            f"not a Chroma index; move it away, then run `ragqa ingest --index-dir "
            f"{settings.index_dir}` to build it again"
        ) from exc


class Connection:
    """One Chroma client, opened on first use and reopened after a failure.

    `call(fn)` runs `fn(self)`; a server that is unreachable or too slow becomes
    `IndexUnavailableError`, and a collection that vanished (data wiped) is looked up again
    once before giving up.
    """

    def __init__(self, settings: Settings, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self._client = client
        self._collections: dict[str, Collection] = {}
        self.epoch = 0  # counts `forget()`: handles made before it are stale
        self._lock = threading.Lock()

    @property
    def client(self) -> ClientAPI:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = open_client(self.settings)
                client = self._client
        return client

    def collection(self, name: str, cosine: bool = False) -> Collection:
        """The collection `name`, created on first use (cached)."""
        col = self._collections.get(name)
        if col is None:
            # The write-ahead log of a collection is trimmed only once its vector index has
            # been saved (by default every 1,000 changes): save every 20, so the log stays short
            # under steady add/delete traffic instead of growing by ~1,000 records.
            # Collections that are never searched (documents, versions) get the smallest graph:
            # chromadb 1.5.9 never reuses the slot of a deleted vector, so each new record
            # costs its graph entry for good (about 50 bytes with 2 neighbours, 150 with 16).
            hnsw: dict[str, Any] = {"sync_threshold": SYNC_EVERY, "batch_size": SYNC_EVERY}
            searched = {"space": "cosine"}
            unsearched = {"max_neighbors": 2, "ef_construction": 8}
            config: Any = {"hnsw": {**hnsw, **(searched if cosine else unsearched)}}
            col = self.client.get_or_create_collection(
                name, embedding_function=None, configuration=config
            )
            self._collections[name] = col
        return col

    def forget(self) -> None:
        """Drop cached collection handles, to look them up again."""
        self._collections.clear()
        self.epoch += 1

    def call(self, fn: Callable[[Connection], T]) -> T:
        for attempt in (1, 2):
            try:
                return fn(self)
            except NotFoundError:
                self.forget()
                if attempt == 2:
                    raise
            except _TRANSPORT_ERRORS as exc:
                self.forget()
                raise IndexUnavailableError(
                    f"{where_the_index_is(self.settings)} is unreachable or too slow "
                    f"({type(exc).__name__}); try again shortly"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, name: str, cosine: bool = False, **kwargs: Any) -> GetResult:
        """`Collection.get` on `name`, through `call`."""
        return self.call(lambda c: c.collection(name, cosine).get(**kwargs))

    def add(self, name: str, cosine: bool = False, **kwargs: Any) -> None:
        """`Collection.add` on `name`, through `call` (an existing id is left as it is)."""
        self.call(lambda c: c.collection(name, cosine).add(**kwargs))

    def delete(self, name: str, cosine: bool = False, **kwargs: Any) -> None:
        """`Collection.delete` on `name`, through `call`."""
        self.call(lambda c: c.collection(name, cosine).delete(**kwargs))

    def upsert(self, name: str, cosine: bool = False, **kwargs: Any) -> None:
        """`Collection.upsert` on `name`, through `call` (an existing record is updated in
        place, which in chromadb 1.5.9 costs no new space, unlike delete and add)."""
        self.call(lambda c: c.collection(name, cosine).upsert(**kwargs))
