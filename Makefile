# The portal's commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WECHAT_STUB_PORT ?= 8001
# The demo talks to the local WeChat stub instead of WeChat's servers.
WECHAT_STUB := http://127.0.0.1:$(WECHAT_STUB_PORT)/
DEV_ENV := DEBUG=1 WECHAT_API_BASE_URL=$(WECHAT_STUB) WECHAT_OPEN_BASE_URL=$(WECHAT_STUB) \
	WECHAT_MP_BASE_URL=$(WECHAT_STUB)

.PHONY: run install test e2e bench lint messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Migrate, load the demo estate the first time, then serve with a background-task worker,
# the tickets' SLA watch, the payment watch and the local WeChat stub.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving http://$(HOST):$(PORT)/ with a task worker, the SLA watch and the WeChat stub on" \
	  "$(WECHAT_STUB); Ctrl-C stops them all."
	trap 'kill 0' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py wechat_stub --port $(WECHAT_STUB_PORT) & \
	$(DEV_ENV) $(BIN)/python manage.py db_worker & \
	$(DEV_ENV) $(BIN)/python manage.py ticket_watch & \
	$(DEV_ENV) $(BIN)/python manage.py payments_watch & \
	$(DEV_ENV) $(BIN)/python manage.py billing_watch & \
	$(DEV_ENV) $(BIN)/python manage.py visitors_watch & \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

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
# An ignore pattern matches a directory of that name anywhere: "media/*" would also skip
# services/media, so the uploads folder is not ignored (it holds no source strings).
# Compiling also covers portal/library_locale (the libraries' strings their own zh_Hans
# lacks; edited by hand). The compiled .mo is committed: a fresh machine needs no gettext.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --settings=tests.settings --no-obsolete \
	  -i ".venv/*" -i "static/*" -i "tests/*" -i "bench/*" -i "test-artifacts/*" -i "private/*"
	$(BIN)/python manage.py compilemessages -l zh_Hans --settings=tests.settings \
	  -i ".venv/*"

clean:
	rm -rf $(VENV) db.sqlite3 static media test-artifacts
