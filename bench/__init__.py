"""Benchmarks: cold start, warm overhead, AWS calls per request and memory, printed as one table."""
