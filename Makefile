# perfeval: `make run` serves the demo, `make test` runs every test. Both set everything up.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
# This machine's pip config names local indexes that may be absent; their warnings are noise.
QUIET_PIP := 2>&1 | { grep -v -e "is ignored: it is neither" -e "^$$" || true; }
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 gettext
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils
RUN_DATABASE_URL ?= sqlite:///$(CURDIR)/var/perfeval.sqlite3
PG_URL ?= postgres://postgres@127.0.0.1:5432/perfeval
PYTEST_ARGS ?=

.PHONY: run test setup system-run system-test messages lint bench clean

run: system-run setup messages
	@mkdir -p var
	DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	@# Before load_demo: the demo's archive PDFs are signed with it (idempotent; an uploaded certificate stays).
	DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/python manage.py make_dev_certificate
	DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/python manage.py load_demo --archives
	@echo "perfeval: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: system-test setup messages
	@set -e; \
	if [ -n "$$DATABASE_URL" ]; then \
		echo "make test: database from DATABASE_URL ($${DATABASE_URL%%://*})"; \
	elif $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=2).close()" 2>/dev/null; then \
		export DATABASE_URL=$(PG_URL); echo "make test: PostgreSQL answers on 127.0.0.1:5432, testing on it"; \
	else \
		unset DATABASE_URL; echo "make test: no DATABASE_URL and no PostgreSQL on 127.0.0.1:5432, testing on SQLite"; \
	fi; \
	$(BIN)/ruff check . ; \
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip $(QUIET_PIP)
	$(BIN)/pip install --quiet -e '.[dev]' $(QUIET_PIP)
	@touch $(STAMP)

messages: setup
	@$(BIN)/python manage.py compilemessages -v0 --ignore=.venv

system-run:
	@./scripts/system-packages.sh $(RUN_PACKAGES)

system-test:
	@./scripts/system-packages.sh $(TEST_PACKAGES)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
