# ClaimBench: `make run` scores every offline baseline on the seed dataset; `make test` is what CI runs.
# Both set up .venv on first use (torch==2.13.0 first: that exact version is the CPU build on disk).

VENV    := .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# Every baseline that runs offline here (nli_pretrained needs an NLI model: see README).
# One set of options for writing and checking the leaderboard, so the check compares like with like.
LEADERBOARD_OPTS := results/runs --dataset seed --protocol loso --latest

# llama-cpp-python (the LLM judge's local server) builds from source, once (~6 min on 2 cores). The
# native build dies with "Illegal instruction" on this VM (the CPU advertises AVX-512/AMX that it
# does not allow), so the instruction sets are fixed; --no-cache-dir so pip never reuses a wheel
# built with other flags.
LLAMA_VERSION    := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
                    -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

BASELINES ?= majority,stratified,hypothesis_only,tfidf_lr,lexical_lr,sbert_cosine,sbert_lr,cross_encoder_ft

.PHONY: setup lock run test test-quick lint leaderboard clean

setup: $(STAMP)

# Reproducible: every package at the exact version of requirements.lock (`make lock` regenerates it),
# then claimbench itself with --no-deps so pip resolves nothing. Re-runs whenever pyproject.toml or
# the lock changes; pip makes a repeat install a no-op.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e '.[dev]'
	$(PY) -c 'import llama_cpp.server' 2>/dev/null || CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	  $(PY) -m pip install --quiet --no-cache-dir 'llama-cpp-python[server]==$(LLAMA_VERSION)'
	touch $(STAMP)

# Pins of every package in .venv except claimbench (editable), torch (installed first, above) and
# llama-cpp-python (built from source with fixed flags, above). Run after changing pyproject.toml.
lock: setup
	{ echo '# make lock: pip freeze of .venv minus claimbench, torch, llama-cpp-python (see Makefile setup)'; \
	  $(PY) -m pip freeze --exclude-editable | grep -v -i -E '^(torch|llama[-_]cpp[-_]python)=='; } > requirements.lock

run: setup
	$(BIN)/bench annotate validate
	$(BIN)/bench annotate stats
	$(BIN)/bench-run -m model=$(BASELINES)
	$(BIN)/bench compare $(LEADERBOARD_OPTS) --write results/leaderboard.md
	$(BIN)/bench compare $(LEADERBOARD_OPTS) --embed README.md
	$(BIN)/bench compare $(LEADERBOARD_OPTS)

lint: setup
	$(BIN)/ruff check bench tests
	$(BIN)/mypy bench

test: lint
	$(BIN)/bench annotate validate
	$(BIN)/bench annotate stats --check-datasheet annotations/DATASHEET.md
	$(BIN)/bench compare $(LEADERBOARD_OPTS) --check results/leaderboard.md
	$(BIN)/bench compare $(LEADERBOARD_OPTS) --check-embed README.md
	$(BIN)/pytest -q

test-quick: setup
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf outputs multirun .pytest_cache .ruff_cache .cache
