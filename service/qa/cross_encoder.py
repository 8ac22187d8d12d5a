"""A fine-tuned MiniLM cross-encoder run by onnxruntime: one logit per text pair.

The answerability model and the trained support checker are both one of these. A second text
longer than the model reads at once is read in overlapping windows, and the best window's
logit counts (a passage answers, or a cited text supports, when one place in it does).
No torch at run time.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

from service.qa.reader import MAX_TOKENS, FirstTextClip, load_tokenizer, model_inputs

WINDOW_OVERLAP = 64  # word pieces shared by consecutive windows of a long second text


class CrossEncoder:
    """Loads an int8 ONNX model once; `logits` is safe to call from several threads."""

    def __init__(self, model: Path, tokenizer_file: Path | None = None) -> None:
        import onnxruntime as ort

        if not model.is_file():
            raise RuntimeError(f"the model file is missing: {model}")
        self._session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        if tokenizer_file is None:  # the MiniLM tokenizer the embeddings use
            from service.store.embeddings import _tokenizer_file

            tokenizer_file = _tokenizer_file()
        self._tokenizer = load_tokenizer(tokenizer_file)
        self._clip = FirstTextClip(tokenizer_file)
        self._tokenizer.enable_truncation(
            max_length=MAX_TOKENS, stride=WINDOW_OVERLAP, strategy="only_second"
        )
        self._lock = threading.Lock()

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One logit per pair: its best window's, when the second text is read in several."""
        if not pairs:
            return []
        with self._lock:
            encodings = self._tokenizer.encode_batch([(self._clip(a), b) for a, b in pairs])
        windows = [(i, w) for i, e in enumerate(encodings) for w in (e, *e.overflowing)]
        (out,) = self._session.run(["logits"], model_inputs([w for _, w in windows]))
        best = [-math.inf] * len(pairs)
        for (i, _), logit in zip(windows, out, strict=True):
            best[i] = max(best[i], float(logit))
        return best
