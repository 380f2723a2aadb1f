"""Performance and scale suite: `python -m bench.perf [--quick] [--out DIR]`.

Measures, side by side in one run, what the harness costs over bare library code (bi-encoder + LR
under LOSO, cross-encoder inference), what the embedding cache buys (cold vs warm), and how the
lexical and embedding baselines scale from 1k to 100k synthetic pairs (wall time, peak RSS, fitted
exponent). Writes `perf.json` and `perf.png`; docs/PERF.md explains the numbers.

Modules: `synthetic` (seeded pair generator), `standin` (cheap deterministic encoder for large
scale), `scaling` (one model x one size in a fresh process), `overhead` (harness vs bare scripts,
cache; the timed side runs in `overhead_worker` processes), `report` (table, JSON, plot), `__main__` (the CLI). Nothing here is imported by the
benchmark itself, and this package imports nothing heavy at module level.
"""
