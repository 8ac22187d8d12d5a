"""Evaluation harness: run question files, score grounding, write reports, compare runs."""
