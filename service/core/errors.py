"""Errors the service raises on purpose; the API maps each to one status code."""


class RagError(Exception):
    """Base of the service's own errors."""


class ModelError(RagError):
    """The language model failed or ran past its time limit (HTTP 503)."""


class NotReadyError(RagError):
    """The index or the model is not loaded yet (HTTP 503)."""


class InputError(RagError, ValueError):
    """Input a person can fix: an empty question, a bad document (HTTP 4xx)."""


class IndexUnavailableError(RagError):
    """The index (Chroma) cannot be reached, is too slow, or needs a command run (HTTP 503)."""


class WriteConflictError(RagError):
    """A change lost the race for the next index version too many times (HTTP 409)."""
