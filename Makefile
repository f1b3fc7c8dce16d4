# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT

.PHONY: run demo test check install dev translations extract-messages migrate lint fmt bench browser clean fuzz audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

dev: $(VENV)/.installed-dev translations

# Compiled catalogues (.mo) are build output, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d intake/translations -D messages --statistics 2>&1 | tail -n 3

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o intake/translations/messages.pot --no-location --sort-output --width=120 .
	$(BIN)/pybabel update -i intake/translations/messages.pot -d intake/translations -D messages --no-fuzzy-matching --ignore-obsolete --width=120

migrate: install
	$(BIN)/flask --app intake db upgrade

# Web (gunicorn), worker and beat; Ctrl-C stops all three. Embedded default unless
# DATABASE_URL / REDIS_URL are set.
run: migrate
	@echo "Blagh on http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	exec $(BIN)/honcho start --port $(PORT)

# `make run` with a year of demo reports and demo staff accounts (their passwords printed once). Only
# into a database without real reports; run again, it keeps the demo data it finds and just runs.
# `flask --app intake demo clear` removes them.
demo: migrate
	$(BIN)/flask --app intake demo seed --skip-if-seeded
	$(MAKE) --no-print-directory run

# What the browser and document tests need, from Debian and npm (nothing is downloaded at test time):
# Chromium, which Playwright drives; pdftotext (poppler-utils), which reads the acknowledgement back;
# a Java runtime and the Nu HTML Checker (vnu-jar), kept in the virtualenv.
VNU_JAR := $(VENV)/node/node_modules/vnu-jar/build/dist/vnu.jar
VNU_VERSION := 26.9.27
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped (they fail under CI=true)"; fi; }
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && $(APT_GET) poppler-utils >/dev/null; \
	  else echo "pdftotext is not installed: the acknowledgement's text checks will be skipped (they fail under CI=true)"; fi; }
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && $(APT_GET) default-jre-headless >/dev/null; \
	  else echo "java is not installed: the HTML checks will be skipped (they fail under CI=true)"; fi; }
	@# --ignore-scripts: the package carries the jar; its install script would download a Java runtime
	@test -f $(VNU_JAR) || { if command -v npm >/dev/null 2>&1; then \
	  npm install --ignore-scripts --no-audit --no-fund --silent --prefix $(VENV)/node vnu-jar@$(VNU_VERSION); \
	else echo "npm is not installed: the HTML checks will be skipped (they fail under CI=true)"; fi; }

test: dev browser
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory audit
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the installed dependencies (pip-audit). Says plainly when the advisory
# service cannot be reached or left packages unchecked; fails only for a known vulnerability.
audit: dev
	$(BIN)/python tools/audit.py

# The fuzz tests with a longer budget than `make test` gives them (FUZZ_EXAMPLES per operation).
FUZZ_EXAMPLES ?= 1000
fuzz: dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:cacheprovider tests/test_fuzz.py

# Static checks, also run by `make test`.
check:
	$(BIN)/ruff check intake workers tests benchmarks tools gunicorn.conf.py
	$(BIN)/ruff format --check intake workers tests benchmarks tools gunicorn.conf.py
	$(BIN)/mypy

lint: dev check

fmt: dev
	$(BIN)/ruff format intake workers tests benchmarks tools gunicorn.conf.py
	$(BIN)/ruff check --fix intake workers tests benchmarks tools gunicorn.conf.py

bench: dev
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.acknowledgement

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
