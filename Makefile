# `make run` and `make test` do all set-up on a fresh machine: they create
# .venv, install the project with its test tools, then run.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The start-up check says which system packages are missing (it installs nothing).
run: $(STAMP)
	@$(BIN)/python -m app.display_check
	$(BIN)/poetry-downloader --demo

# Headless: Qt runs offscreen, and the real-X tests (tests/test_x11.py) start
# their own Xvfb when it is installed, and are skipped when it is not.
test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/ruff format --check app tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format app tests benchmarks
	$(BIN)/ruff check --fix app tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
