"""Vectors of a chunk's evidence units, stored in the chunk's own metadata.

Evidence selection compares the question with every unit (sentence, or short sentences
joined) of the retrieved chunks. Ingest embeds each unit once, on its own, as selection would,
and the vectors travel with the chunk as two strings, so a replica that retrieves the chunk
scores its units without running the model, however large the index:
- `unit_spans`: "start:end,start:end" (character offsets into the document);
- `unit_vectors`: base64 of, per unit, a float32 scale and 384 int8 values (≈ 520 characters
  a unit; cosine error from the rounding ≈ 0.001).
Chunks stored before this format carry neither key; their units are embedded when needed.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

SPANS_KEY = "unit_spans"
VECTORS_KEY = "unit_vectors"
DIMENSIONS = 384
_RECORD = np.dtype([("scale", "<f4"), ("values", "i1", (DIMENSIONS,))])

Array = np.ndarray[Any, np.dtype[np.float32]]
Span = tuple[int, int]


def pack(spans: Sequence[Span], vectors: Sequence[Array]) -> dict[str, str]:
    """The metadata entries for unit `spans` and their unit-length `vectors` ({} for none)."""
    if not spans:
        return {}
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(spans), DIMENSIONS)
    scales = np.abs(matrix).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    records = np.empty(len(spans), dtype=_RECORD)
    records["scale"] = scales
    records["values"] = np.rint(matrix / scales[:, None]).astype(np.int8)
    return {
        SPANS_KEY: ",".join(f"{a}:{b}" for a, b in spans),
        VECTORS_KEY: base64.b64encode(records.tobytes()).decode("ascii"),
    }


def unpack(meta: Mapping[str, Any]) -> dict[Span, Array]:
    """`{(start, end): unit vector}` from a chunk's metadata; {} when it has none or they
    do not decode (an unreadable entry costs an embedding, never an answer)."""
    spans_text, blob = meta.get(SPANS_KEY), meta.get(VECTORS_KEY)
    if not isinstance(spans_text, str) or not isinstance(blob, str) or not spans_text:
        return {}
    try:
        spans = [tuple(int(x) for x in part.split(":")) for part in spans_text.split(",")]
        records = np.frombuffer(base64.b64decode(blob, validate=True), dtype=_RECORD)
    except ValueError:
        return {}
    if len(records) != len(spans) or any(len(s) != 2 for s in spans):
        return {}
    matrix = records["values"].astype(np.float32) * records["scale"][:, None]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix /= np.clip(norms, 1e-12, None)
    return {(s[0], s[1]): matrix[i] for i, s in enumerate(spans)}
