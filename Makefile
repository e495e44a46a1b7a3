PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-calendar lint bench cluster bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	mkdir -p data
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Both cores; a module's tests stay on one worker so its browser server starts once.
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile
# How far the second pass moves the calendar; `make test-calendar SHIFT_DAYS=-30` too.
SHIFT_DAYS ?= 400

test: lint
	$(PYTEST)
	$(MAKE) --no-print-directory test-calendar

# The non-browser SQLite suite again, as if it were SHIFT_DAYS from today: a test that
# only passes on the day it was written fails here (tests/clock_shift.py).
test-calendar: $(VENV)/.installed-test
	$(PYTEST) -q -m "not browser and not postgres" --shift-clock-days=$(SHIFT_DAYS)

bench: $(VENV)/.installed-test
	$(BIN)/python scripts/bench.py

# PostgreSQL, three app processes and HAProxy on one machine; Ctrl-C stops it all.
cluster: $(VENV)/.installed
	$(BIN)/python scripts/cluster.py --port $(PORT)

# Simulated candidates over Streamlit's websocket protocol: SQLite, PostgreSQL, 2 processes.
bench-load: $(VENV)/.installed-test
	$(BIN)/python scripts/bench_load.py $(if $(QUICK),--quick) $(if $(SOAK),--soak $(SOAK)) $(if $(FLOOR),--floor)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
