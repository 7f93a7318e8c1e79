# One command to run the app on embedded defaults, one to test it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/platform
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# The embedded run ignores any DATABASE_URL/REDIS_URL in the environment.
EMBEDDED := DATABASE_URL= REDIS_URL= CELERY_BROKER_URL=

.PHONY: install run test test-services lint bench bench-servers bench-crm bench-search bench-reminders worker beat clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Set up and start the app on embedded defaults (SQLite, no Redis) with demo data.
run: install
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED) $(BIN)/python manage.py seed_demo
	$(EMBEDDED) $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite on embedded defaults; tests that need PostgreSQL or Redis skip.
test: install
	$(EMBEDDED) $(BIN)/pytest -q

## The whole suite on PostgreSQL and Redis; tests that need them must pass, not skip.
test-services: install
	SERVICES_RUN=1 DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(EMBEDDED) $(BIN)/python manage.py makemigrations --check --dry-run

## Benchmarks on PostgreSQL and Redis: both below, each printing its own JSON document.
bench: bench-servers bench-crm bench-search bench-reminders

## Which HTTP server runs Django in production (bench/servers.py).
bench-servers: install
	@$(BIN)/python bench/servers.py

## CRM reads at 10,000 clients and 100,000 notes against a raw WSGI floor (bench/crm.py).
bench-crm: install
	@$(BIN)/python bench/crm.py

## Search on PostgreSQL at 100,000 and 1,000,000 notes beside its raw SQL (bench/search.py).
bench-search: install
	@$(BIN)/python bench/search.py

## Deadline reminders over 10,000 users beside one SQL query and a bulk insert (bench/reminders.py).
bench-reminders: install
	@$(BIN)/python bench/reminders.py

worker: install
	$(BIN)/celery -A config worker -Q default,email,ai -l info

beat: install
	$(BIN)/celery -A config beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache
