"""Benchmark and its helpers (``make bench``, BENCHMARKS.md): not part of the installed product."""
