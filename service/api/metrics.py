"""Prometheus metrics of one app, kept in the app's own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """Request counts and latencies per route, answer outcomes and model latency."""

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

    def observe_answer(self, answerable: bool, generate_ms: float | None) -> None:
        self.answers.labels(outcome="answerable" if answerable else "refused").inc()
        if generate_ms is not None:
            self.model_latency.observe(generate_ms / 1000)
