# Everyday verbs. `make demo` and `make test` are the two set-up commands of the README.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongjian
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers, one per core: each has its own test database (pytest-django adds _gw0,
# _gw1, ... to the name) and its own media directory (settings_test.py); tests marked
# xdist_group (the demo package) stay together on one worker.
TEST_WORKERS ?= auto

.PHONY: help setup install demo serve test test-sqlite test-postgres lint format typecheck audit messages bench bench-deadline

help:
	@echo "make demo    - install, migrate an SQLite database under var/, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    - lint, type-check, migration check, the suite on SQLite and on PostgreSQL"
	@echo "make setup   - install only (virtualenv with uv, with the test and benchmark tools)"
	@echo "make install - production install: the runtime dependencies only (docs/deploy.md)"
	@echo "make bench   - the rollup benchmark on PostgreSQL (BENCH_SIZE=city|province|nation-ci, default city)"
	@echo "make bench-deadline - the monthly deadline drill on loopback (1,000 reports, dashboards read)"

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# Production: the runtime dependencies from the lock file, no test, lint or benchmark tools, compiled
# ahead (the services may not write into the clone).
install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --no-dev --compile-bytecode
	$(VENV)/python -m compileall -q gongjian

# The demo campaign is 2022's: the platform works as if today were this date.
DEMO_TODAY ?= 2022-12-02

demo: setup
	@mkdir -p var
	GONGJIAN_ENV=demo $(VENV)/gongjian migrate --no-input
	GONGJIAN_ENV=demo $(VENV)/gongjian loaddemo --if-empty
	@echo ""
	@echo "攻坚 Gongjian demo: http://$(HOST):$(PORT)/   (password for every demo login: gongjian-demo)"
	@echo "The demo works as if today were $(DEMO_TODAY) (GONGJIAN_TODAY); set DEMO_TODAY= to use the real date."
	@echo "  city_admin       市项目办管理员 · 泉州市"
	@echo "  city_reviewer    市级审核员 · 泉州市"
	@echo "  leader           市领导 · 泉州市"
	@echo "  lichen_filer     县区填报员 · 鲤城区"
	@echo "  lichen_reviewer  县区审核员 · 鲤城区"
	@echo "  fengze_filer     县区填报员 · 丰泽区"
	@echo "  jinjiang_filer   县区填报员 · 晋江市"
	@echo "  taishang_filer   县区填报员 · 泉州台商投资区"
	@echo "  zsj_officer      行业部门 · 市招商局"
	@echo "  security_admin   安全管理员 · 账号与审计（不看业务数据）"
	@echo ""
	@echo "The background worker (gongjian db_worker) runs beside the web server; Ctrl-C stops both."
	@export GONGJIAN_ENV=demo GONGJIAN_TODAY=$(DEMO_TODAY); \
	$(VENV)/gongjian db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(VENV)/gongjian runserver $(HOST):$(PORT)

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format:
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

typecheck:
	$(VENV)/mypy gongjian

messages:
	cd gongjian && GONGJIAN_ENV=test ../$(VENV)/gongjian makemessages -l en --no-obsolete --no-location
	cd gongjian && GONGJIAN_ENV=test ../$(VENV)/gongjian compilemessages -l en

# Known vulnerabilities in uv.lock (accepted ones in .pip-audit-ignore; see gongjian/core/depaudit.py).
audit:
	$(VENV)/python -m gongjian.core.depaudit

test: setup lint typecheck audit
	GONGJIAN_ENV=test DATABASE_URL=sqlite:///:memory: $(VENV)/gongjian makemigrations --check --dry-run
	$(MAKE) test-sqlite
	@if [ "$${GONGJIAN_REQUIRE_POSTGRES:-}" = "1" ] || $(VENV)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3)" 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL at $(PG_URL) not reachable: PostgreSQL tier skipped (CI requires it)."; \
	fi

test-sqlite:
	DATABASE_URL=sqlite:///:memory: GONGJIAN_REQUIRE_POSTGRES= $(VENV)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$(PG_URL) $(VENV)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Prints figures (docs/benchmarks.md); generates into its own database gongjian_bench_<size> on
# PG_URL's server and re-uses it while the size and generator version are unchanged.
BENCH_SIZE ?= city
bench: setup
	GONGJIAN_ENV=test DATABASE_URL=$(PG_URL) $(VENV)/gongjian bench rollup --size $(BENCH_SIZE)

# The monthly deadline on loopback: gunicorn (production settings) on a copy of the demo in
# gongjian_bench_deadline_run; districts file, submit and get approved 1,000 reports offered over
# a minute while leaders read dashboards. Prints throughput, latency, errors and lost work.
bench-deadline: setup
	GONGJIAN_ENV=test DATABASE_URL=$(PG_URL) $(VENV)/gongjian bench deadline
