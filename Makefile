# ClaimBench: `make run` scores every offline baseline on seed and on all (seed + emergent); `make test` is
# what CI runs; `make llm` scores the LLM judge (its own target: 1.5 pairs/s on 2 cores).
# Both set up .venv on first use (torch==2.13.0 first: that exact version is the CPU build on disk).

VENV    := .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# One set of options for writing and checking each leaderboard, so the check compares like with like:
# `--protocol loso` keeps the runs started with protocol=loso (zero-shot models predict every pair
# once; on `all`, loso is leave-one-event-out as a grouped 5-fold above the 50-fold cap).
BOARD    = results/runs --dataset $(1) --protocol loso --latest
DATASETS := seed all
ROOTS    := annotations/seed annotations/emergent

# llama-cpp-python (the LLM judge's local server) builds from source, once (~6 min on 2 cores). The
# native build dies with "Illegal instruction" on this VM (the CPU advertises AVX-512/AMX that it
# does not allow), so the instruction sets are fixed; --no-cache-dir so pip never reuses a wheel
# built with other flags.
LLAMA_VERSION    := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
                    -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

# Every baseline that runs offline here (nli_pretrained needs an NLI model given by path: see README).
BASELINES ?= majority,stratified,hypothesis_only,tfidf_lr,lexical_lr,sbert_cosine,sbert_lr,nli_transfer
# Fine-tuned per fold: ~2.5 min a fold on 2 cores, so its own target (seed only; see README).
SLOW_BASELINES ?= cross_encoder_ft

.PHONY: setup lock run run-slow llm boards test test-quick lint clean

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
	for r in $(ROOTS); do $(BIN)/bench annotate validate --root $$r && $(BIN)/bench annotate stats --root $$r | head -12; done
	$(BIN)/bench-run -m model=$(BASELINES) dataset=seed,all
	$(MAKE) boards

run-slow: setup
	$(BIN)/bench-run -m model=$(SLOW_BASELINES) dataset=seed
	$(MAKE) boards

# The LLM judge (local llama.cpp server on the bundled GGUF model unless model.base_url is set), zero-shot
# on seed; its row joins the seed leaderboard.
llm: setup
	$(BIN)/bench-run model=llm_judge dataset=seed
	$(MAKE) boards

boards:
	for d in $(DATASETS); do \
	  $(BIN)/bench compare $(call BOARD,$$d) --write results/leaderboard-$$d.md && \
	  $(BIN)/bench compare $(call BOARD,$$d) --embed README.md && \
	  $(BIN)/bench compare $(call BOARD,$$d) || exit 1; done

lint: setup
	$(BIN)/ruff check bench tests
	$(BIN)/mypy bench

test: lint
	for r in $(ROOTS); do $(BIN)/bench annotate validate --root $$r && \
	  $(BIN)/bench annotate stats --root $$r --check-datasheet annotations/DATASHEET.md || exit 1; done
	for d in $(DATASETS); do \
	  $(BIN)/bench compare $(call BOARD,$$d) --check results/leaderboard-$$d.md && \
	  $(BIN)/bench compare $(call BOARD,$$d) --check-embed README.md || exit 1; done
	$(BIN)/pytest -q

test-quick: setup
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf outputs multirun .pytest_cache .ruff_cache .cache
