# Hikagami: `make run` serves the demo clinic, `make test` runs the suite. Both set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Debian packages the project needs; installed only when missing (see TECH-NOTES).
SYSTEM_PACKAGES := gettext
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_ENV := SECRET_KEY=test-only-not-secret

.PHONY: run test bench lint format migrations-check system-packages messages setup

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

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

setup: $(VENV)/.installed system-packages messages

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py load_demo
	@echo ""
	@echo "Hikagami demo clinic on http://127.0.0.1:$(PORT)/  (password for every demo user: demo-pass-2026)"
	@echo "  demo-admin         clinic admin"
	@echo "  demo-practitioner  practitioner (also demo-practitioner2)"
	@echo "  demo-frontdesk     front desk"
	@echo "  demo-patient       patient (山田 太郎)"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(TEST_ENV) $(PY) -m pytest

bench: setup
	$(TEST_ENV) $(PY) manage.py bench

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
