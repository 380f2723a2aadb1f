"""Many runs -> comparison tables with confidence intervals and paired significance tests.

One job per module: `options` (what can be asked, with its defaults), `load` (run files -> arrays
aligned by pair_id), `select` (filters, --latest, one group per dataset fingerprint), `stats` (pure
numpy paired tests), `table` (rows and slices), `build` (runs -> tables), `render` (one function per
format).

One row per run (or the latest run per model), sorted by the main metric. Every run is compared
with a reference run (the best, or `baseline=MODEL`) on the *same items*, matched by pair_id from
predictions.jsonl:
- paired bootstrap of the metric difference (run - reference): 95% percentile CI and a two-sided
  p-value, p = min(1, 2 * min(#{d <= 0} + 1, #{d >= 0} + 1) / (B + 1));
- McNemar's exact test on correctness (binomial test on the discordant pairs, p0 = 1/2);
- Holm's step-down correction across the rows of one table, separately for each test;
- a column saying which runs are not significantly different from the reference at `alpha`
  under the chosen test (bootstrap by default: it tests the sorting metric itself, whereas
  McNemar tests accuracy).
Runs scored on different dataset fingerprints are never mixed in one table.

Nothing here imports torch or any model code: compare must run in a bare CI job.
"""
