"""Throughput and scale measurements for xxgk (not part of the test suite).

``python -m benchmarks.generate`` writes a synthetic corpus; ``python -m benchmarks``
(or ``python -m benchmarks.run``) runs the benchmarks and prints a summary.
"""
