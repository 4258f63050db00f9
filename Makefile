# The portal's commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test e2e bench lint messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Migrate, load the demo estate the first time, then serve with a background-task worker.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving http://$(HOST):$(PORT)/ with a task worker; Ctrl-C stops both."
	trap 'kill 0' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py db_worker & \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/pytest -m "not e2e"

# Browser tests: Playwright driving Debian's chromium (apt-get install chromium).
e2e: install
	$(BIN)/pytest -m e2e

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

# Refresh the zh_Hans catalogue after changing source strings; translate, then compile.
# The compiled .mo is committed, so a fresh machine needs no gettext tools.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --settings=tests.settings --no-obsolete \
	  -i ".venv/*" -i "static/*" -i "media/*" -i "tests/*" -i "bench/*" -i "test-artifacts/*"
	$(BIN)/python manage.py compilemessages -l zh_Hans --settings=tests.settings \
	  -i ".venv/*"

clean:
	rm -rf $(VENV) db.sqlite3 static media test-artifacts
