# `make run` and `make test` do all set-up on a fresh machine: they create
# .venv, install the project with its test tools, then run.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-pythons lint format bench clean bundle bundle-check bundle-startup catalogue

# Translations: app/i18n/locale/<language>/LC_MESSAGES/poetry-downloader.po is the
# source; gettext reads the compiled .mo, which is built here (and by the
# package build, setup.py), never edited by hand.
CATALOGUES := $(wildcard app/i18n/locale/*/LC_MESSAGES/poetry-downloader.po)
COMPILED   := $(CATALOGUES:.po=.mo)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing the program's words: extract them all and merge them into
# each language's catalogue (then translate what is new; the tests say what).
catalogue: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract --no-location --sort-output --add-comments=TRANSLATORS: \
		--project=poetry-downloader --version=$$($(BIN)/python -c 'import app; print(app.__version__)') \
		-o build/poetry-downloader.pot app
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
		-i build/poetry-downloader.pot -d app/i18n/locale -D poetry-downloader

# The start-up check says which system packages are missing (it installs nothing).
run: $(STAMP) $(COMPILED)
	@$(BIN)/python -m app.startup.display_check
	$(BIN)/poetry-downloader --demo

# Headless: Qt runs offscreen, and the real-X tests (tests/test_x11.py) start
# their own Xvfb when it is installed, and are skipped when it is not.
test: $(STAMP) $(COMPILED) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The whole suite (lint too) on each Python of PYTHONS, each with its own venv
# (.venv-3.10, ...), built on first use. By default the lowest and the highest
# the project supports; each is found with pyenv, else as pythonX.Y on PATH, else in
# pyenv's versions folder (a shell that never ran pyenv's set-up).
# Every Python runs even when one fails; the last line names those that failed.
PYTHONS ?= 3.10 3.13

test-pythons:
	@failed=; for version in $(PYTHONS); do \
		python=; \
		if command -v pyenv >/dev/null && found=$$(pyenv latest $$version 2>/dev/null); then \
			python=$$(pyenv root)/versions/$$found/bin/python; \
		elif command -v python$$version >/dev/null; then \
			python=$$(command -v python$$version); \
		else \
			python=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$version.*/bin/python 2>/dev/null | sort -V | tail -n 1); \
		fi; \
		if [ -z "$$python" ] || ! "$$python" -c '' 2>/dev/null; then \
			echo "test-pythons: no Python $$version (neither pyenv nor PATH has it)" >&2; exit 1; \
		fi; \
		echo "== Python $$version: $$python"; \
		$(MAKE) test PYTHON=$$python VENV=.venv-$$version || failed="$$failed $$version"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-pythons: failed on Python$$failed" >&2; exit 1; fi

lint: $(STAMP)
	$(BIN)/ruff check app tests benchmarks bundle setup.py
	$(BIN)/ruff format --check app tests benchmarks bundle setup.py
	$(BIN)/mypy
	$(BIN)/python -m tests.string_check

format: $(STAMP)
	$(BIN)/ruff format app tests benchmarks bundle setup.py
	$(BIN)/ruff check --fix app tests benchmarks bundle setup.py

# Prints the tables, writes the charts and a record of the run (docs/benchmarks/<date>-<commit>.json)
# into docs/benchmarks/ (README, "Performance"; docs/performance.md).
$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-installed $(COMPILED)
	$(BIN)/python -m benchmarks

# The one-folder program for people without Python (README, "Install"):
# dist/poetry-downloader/ and its .tar.gz, built in a Debian 11 userland so
# that it runs on glibc 2.31 and newer (as root: it installs debootstrap if
# missing, makes the userland and builds Python 3.11 there, then keeps both in
# /var/cache/poetry-downloader for the next build; POETRY_BUNDLE_CACHE= keeps
# none). PyInstaller comes from the project's `bundle` extra, the X libraries
# it carries from Debian 11's `apt-get download`.
bundle: $(STAMP) $(COMPILED)
	$(BIN)/python -m bundle.build

# Runs the bundle with PATH=/usr/bin:/bin and no venv: --version, the demo
# (offscreen, and on Xvfb with the system's copies of its libraries hidden),
# poetry-get from poetry-server, the desktop entry; lists the glibc each file
# needs (at most 2.31); and runs it again, unpacked by a user, in a Debian 11
# userland holding only glibc, libGL, libX11/libxcb, the C++ runtime and zlib.
bundle-check: $(STAMP)
	$(BIN)/python -m bundle.check

# Start-up to a painted window, bundle beside the venv, on Xvfb.
bundle-startup: $(STAMP)
	$(BIN)/python -m bundle.startup

clean:
	rm -rf $(VENV) build dist *.egg-info
