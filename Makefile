# The two commands of the README's quickstart. Each sets itself up: a virtual environment
# in .venv with the pinned dependencies, made again when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/tradewatch run

test: $(BIN)/.installed
	$(BIN)/ruff check --no-cache bot tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_analyze.py
	$(BIN)/python benchmarks/bench_length.py
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
