# Learning Desk: `make run` to use it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
DIST := learningdesk/core/static/core/dist
ASSET_SOURCES := $(shell find learningdesk/core/assets scripts/build-assets.mjs package.json -type f 2>/dev/null)

.PHONY: run test lint format bench install assets migrate lock clean serve-check serve

run: install assets migrate
	@$(MANAGE) seed_demo --if-empty
	@scripts/run.sh

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Learning Desk needs Python 3.12: set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(DIST)/.built

$(DIST)/.built: node_modules/.installed $(ASSET_SOURCES)
	npm run --silent build
	@touch $@

migrate: install
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) createcachetable

# The production setup on this machine (issue 10): PostgreSQL, gunicorn with two web processes, two task workers,
# the hourly jobs, on http://127.0.0.1:8000. See scripts/serve.sh and docs/deploy.md.
serve: install assets
	@scripts/serve.sh

test: install assets
	$(MAKE) lint
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=learningdesk.settings.test -v 0
	DJANGO_SETTINGS_MODULE=learningdesk.settings.prod SECRET_KEY=check-deploy-$$RANDOM$$RANDOM$$RANDOM$$RANDOM-not-used-for-anything-else \
		ALLOWED_HOSTS=learningdesk.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy learningdesk

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmarks run against a fresh database of their own, so they never touch your demo data:
# on an empty database they first load a million members through the import and time it.
bench: install assets
	@scripts/bench.sh

# Load and faults (issue 10): the production setup on a PostgreSQL server of its own, a national union's busiest
# hour from locust for SOAK_LOAD_SECONDS (300), then a task worker, a web process and PostgreSQL knocked over under
# load. Traffic to 127.0.0.1 only; about 10 minutes (4 more when it builds the demo data: the first run, and after a
# migration). Figures go into var/soak/report.txt and make bench's results.json. See scripts/soak/soak.py.
.PHONY: soak
soak: install assets
	@$(BIN)/python scripts/soak/soak.py

# Pins without this machine's package-index settings, so the files work anywhere.
PIP_COMPILE := --quiet --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host

lock: install
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile $(PIP_COMPILE) -o requirements.txt requirements.in
	$(BIN)/pip-compile $(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules $(DIST) staticfiles
