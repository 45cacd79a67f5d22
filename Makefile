# The two newcomer commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench-ingest bench-triage bench-cli clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m core.ai.offline  # train and save the offline model once, not per process
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/desk run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench-ingest: $(STAMP)
	$(BIN)/python bench/ingest.py

bench-triage: $(STAMP)
	$(BIN)/python bench/triage.py

bench-cli: $(STAMP)
	$(BIN)/python bench/cli_start.py

clean:
	rm -rf $(VENV) .desk desk.db desk.db-* .pytest_cache .ruff_cache .mypy_cache core/ai/data/offline-model.joblib
