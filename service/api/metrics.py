"""Prometheus metrics of one app, kept in the app's own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """Request counts and latencies per route, answer outcomes, model latency, admission."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ragqa_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ragqa_http_request_duration_seconds",
            "Time to the end of each HTTP response, by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "ragqa_answers",
            "Answers by outcome: answerable or refused.",
            ["outcome"],
            registry=self.registry,
        )
        self.model_latency = Histogram(
            "ragqa_model_latency_seconds",
            "Time of the generate step (the answerer writing a draft), cache hits excluded.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.model_failures = Counter(
            "ragqa_model_failures",
            "Answer calls that failed, by kind: timeout or error.",
            ["kind"],
            registry=self.registry,
        )

        self.queue_wait = Histogram(
            "ragqa_answer_queue_seconds",
            "Time a request waited for an answer slot before its model time limit started.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queued = Gauge(
            "ragqa_answer_queue_depth",
            "Requests waiting for an answer slot.",
            registry=self.registry,
        )
        self.in_use = Gauge(
            "ragqa_answer_slots_in_use", "Answer slots taken.", registry=self.registry
        )
        self.abandoned = Gauge(
            "ragqa_answer_abandoned_calls",
            "Answer calls still running in a thread after their request timed out.",
            registry=self.registry,
        )
        self.rejected = Counter(
            "ragqa_answer_rejected",
            "Requests refused with 503 busy, by reason: queue_full or queue_timeout.",
            ["reason"],
            registry=self.registry,
        )

    def observe_answer(self, answerable: bool, generate_ms: float | None) -> None:
        self.answers.labels(outcome="answerable" if answerable else "refused").inc()
        if generate_ms is not None:
            self.model_latency.observe(generate_ms / 1000)
