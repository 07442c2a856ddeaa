# Hikagami: `make run` serves the demo clinic, `make test` runs the suite. Both set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Debian packages the project needs, installed only when missing (see TECH-NOTES): gettext for
# the catalogue; Pango, HarfBuzz-subset and the IPAex Gothic font for WeasyPrint PDFs in Japanese;
# Chromium for the browser journeys (tests/browser; Playwright drives it, never downloads one).
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-ipaexfont-gothic \
	chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_ENV := SECRET_KEY=test-only-not-secret

.PHONY: run serve test bench bench-load bench-pg-db lint format migrations-check system-packages messages setup lock

# The versions installed are the ones in requirements.lock (the set CI tests); pyproject.toml says
# what the project needs, the lock says which release of each. `make lock` renews the lock.
LOCK := requirements.lock
$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[test]'
	@touch $@

# The newest releases pyproject.toml allows, resolved in a scratch virtualenv and written to the
# lock; then `make test` installs and tests them.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,2p' $(LOCK); .lock-venv/bin/python -m pip freeze --exclude-editable; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .lock-venv

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

messages: $(VENV)/.installed system-packages
	@DEBUG=1 $(PY) manage.py compilemessages -v0 --ignore=.venv

# A secret key of this checkout's own, for manage.py commands run by hand (never committed).
.secret-key:
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The audit trail's HMAC key (clinic/settings.py reads it when AUDIT_CHAIN_KEY is unset); production
# settings refuse to start without one that differs from SECRET_KEY.
.audit-chain-key:
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

setup: $(VENV)/.installed system-packages messages .secret-key .audit-chain-key

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py load_demo
	@echo ""
	@echo "Hikagami demo clinic on http://127.0.0.1:$(PORT)/login/?clinic=demo"
	@echo "  clinic code: demo    password for every demo user: demo-pass-2026"
	@echo "  demo-admin         clinic admin"
	@echo "  demo-practitioner  practitioner (also demo-practitioner2)"
	@echo "  demo-frontdesk     front desk"
	@echo "  demo-patient       patient (山田 太郎)"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production settings, served by gunicorn + WhiteNoise as in the README's Production section, but
# on plain http at 127.0.0.1: the HTTPS redirect and secure-only cookies are off for this local run
# only (a real deployment keeps both on behind its TLS proxy). Serves whatever the database holds:
# `make run` (or DEBUG=1 manage.py load_demo) puts the demo clinic in the default SQLite file.
# AUDIT_CHAIN_KEY: from the environment, else the checkout's .audit-chain-key (as `make run` uses).
SERVE_ENV := PRODUCTION=1 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	AUDIT_CHAIN_KEY="$${AUDIT_CHAIN_KEY:-$$(cat .audit-chain-key)}"
serve: setup
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput -v0
	@echo ""
	@echo "Hikagami with production settings (gunicorn, WhiteNoise) on http://127.0.0.1:$(PORT)/"
	@echo "  LOCAL ONLY: SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 (no TLS here); keep them on in production"
	@echo "  database: $$([ -n "$$DATABASE_URL" ] && echo DATABASE_URL || echo db.sqlite3);" \
	  "SECRET_KEY: $$([ -n "$$SECRET_KEY" ] && echo 'from the environment' || echo .secret-key);" \
	  "AUDIT_CHAIN_KEY: $$([ -n "$$AUDIT_CHAIN_KEY" ] && echo 'from the environment' || echo .audit-chain-key)"
	@echo ""
	$(SERVE_ENV) GUNICORN_BIND=127.0.0.1:$(PORT) $(VENV)/bin/gunicorn -c clinic/gunicorn.conf.py

test: setup
	$(TEST_ENV) $(PY) -m pytest

# Patient list and search at 1,000 / 100,000 / 1,000,000 patients, the tenant-isolation check (the
# small clinic here and in a database of its own), the other pages, on SQLite and on PostgreSQL,
# then the load run on gunicorn + PostgreSQL (docs/benchmarks.md). Seeds on first use
# (bench*.sqlite3 and the hikagami_bench* databases), reuses the data afterwards.
# `make bench-load` runs only the load part.
BENCH_ARGS ?=
LOAD_ARGS ?=
BENCH_SQLITE_URL := sqlite:///$(CURDIR)/bench.sqlite3
BENCH_SQLITE_ALONE_URL := sqlite:///$(CURDIR)/bench-alone.sqlite3
BENCH_PG_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_PG_DB := hikagami_bench
BENCH_PG_URL := $(BENCH_PG_SERVER)/$(BENCH_PG_DB)
BENCH_PG_ALONE_URL := $(BENCH_PG_SERVER)/$(BENCH_PG_DB)_alone
bench: setup bench-pg-db
	DATABASE_URL=$(BENCH_SQLITE_ALONE_URL) $(TEST_ENV) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_SQLITE_URL) $(TEST_ENV) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_SQLITE_URL) $(TEST_ENV) $(PY) manage.py bench --alone $(BENCH_SQLITE_ALONE_URL) $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(PY) manage.py bench --alone $(BENCH_PG_ALONE_URL) $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(PY) manage.py loadbench $(LOAD_ARGS)

bench-load: setup bench-pg-db
	DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(PY) manage.py loadbench $(LOAD_ARGS)

bench-pg-db: setup
	@for db in $(BENCH_PG_DB) $(BENCH_PG_DB)_alone; do \
	  psql "$(BENCH_PG_SERVER)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$db'" \
	    | grep -q 1 || psql "$(BENCH_PG_SERVER)/postgres" -q -c "CREATE DATABASE $$db"; \
	done
	DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG_ALONE_URL) $(TEST_ENV) $(PY) manage.py migrate --noinput -v0

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
