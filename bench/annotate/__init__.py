"""The library behind `bench annotate ...`: one small module per job.

- `store`      locks, next ids, validation of the would-be files, the atomic claims-then-pairs write
- `edit`       add one claim / one pair
- `importer`   import a flat pair file (all or nothing)
- `stats`      dataset statistics; `datasheet` embeds them in DATASHEET.md
- `similarity` TF-IDF / embedding cosine between claim texts
- `suggest`    unannotated cross-source pairs worth annotating
- `perturb`    rule-based perturbed claim texts
- `blind`      label-free samples for a second annotation pass; `agreement` scores such passes

Nothing here imports torch; only `similarity.embedding_*` does, inside the function.
"""
