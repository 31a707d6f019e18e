# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint format check check-deploy messages clean drill drill-short

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Serve the demo on the embedded SQLite database (or DATABASE_URL, if set).
run: export DEBUG ?= true
run: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "  powtracker is running: open http://$(HOST):$(PORT)/admin/"
	@echo "  Log in as caseworker, supervisor or analyst; the password is $${DEMO_PASSWORD:-powtracker-demo}"
	@echo "  A background worker runs beside the server (exports as jobs); Ctrl-C stops both."
	@echo ""
	@$(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: on PostgreSQL when DATABASE_URL points at one, else on SQLite.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# Benchmarks: figures against their targets and baselines, not tests. They fill the database at
# DATABASE_URL with fictional records, so it must be one of your own (PostgreSQL for the export
# benchmark's COPY baseline). BENCH_CAPTIVES sets the export benchmark's size, BENCH_IMPORT_ROWS
# the import benchmark's list. The webhooks benchmark makes a database of its own beside it (its
# name + `_webhooks`), with real workers and receivers on 127.0.0.1, and drops it at the end.
BENCH_CAPTIVES ?= 100000
BENCH_IMPORT_ROWS ?= 10000
bench: $(VENV)/.installed-dev
	@test -n "$$DATABASE_URL" || { echo "make bench needs DATABASE_URL: a database of your own (it adds fictional records)"; exit 2; }
	$(PY) manage.py migrate --noinput
	BENCH_CAPTIVES=$(BENCH_CAPTIVES) BENCH_IMPORT_ROWS=$(BENCH_IMPORT_ROWS) $(PY) bench/run.py

# The deployment drill (README "The drill"): deploy/'s files run on this machine (a new PostgreSQL
# primary on 5435, its replica on 5433, PgBouncer, two gunicorns, a worker, HAProxy on 8080), then
# broken one fault at a time. Needs root (PostgreSQL runs as postgres) and Redis on 6379.
drill: $(VENV)/.installed
	deploy/install-packages.sh
	$(PY) -m drill

# Its CI form, under 5 minutes: replica routing, read-only mode, a job surviving a killed worker,
# a point-in-time restore.
drill-short: $(VENV)/.installed
	deploy/install-packages.sh
	$(PY) -m drill --short

# Ruff, and the layers (.importlinter): an app imports only the apps below it.
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Migrations complete, and production settings clean under Django's deployment checks.
check: check-deploy
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.installed
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=powtracker.example.org PUBLIC_URL=https://powtracker.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

# The catalogues (needs GNU gettext): extract every string into locale/ (and reports/locale, which
# the documents share, also in Russian), then compile them. Translate the new entries of the .po
# files in between; tests/powtracker/test_translations.py fails while one is missing.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=var --ignore=test-artifacts
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l uk -l ko --no-obsolete $(MESSAGES_IGNORE)
	cd reports && ../$(PY) ../manage.py makemessages -l ru --no-obsolete
	$(PY) manage.py compilemessages $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
