"""Benchmarks run on demand (`make bench`): they print figures; they are not tests."""
