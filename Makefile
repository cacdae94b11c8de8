# One command sets up and runs: `make demo` (the main job) and `make test` (the tests).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SCENARIO ?= payment_outage
SEED ?= 1

.PHONY: setup browser demo test bench schema fixtures clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,dist,xlsx,parquet]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/drillsim run $(SCENARIO) --seed $(SEED) --log run-$(SCENARIO)-$(SEED).jsonl --force

# The browser the web-console test plays in (Debian's chromium; does nothing when present).
browser:
	bash scripts/install-chromium.sh

test: setup browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 2 -p no:cacheprovider

bench: setup
	$(PY) benchmarks/run_all.py

schema: setup
	$(PY) -c "from drillsim.simulator.formats.schema import write; write()"

# The Monte Carlo fixtures the report tests read, written by the real commands
# (tests/test_fixtures.py fails when the commands print another shape than the files hold).
fixtures: setup
	$(VENV)/bin/drillsim montecarlo payment_outage -n 200 --seed 42 --workers 1 --json \
		> tests/fixtures/montecarlo_payment_outage.json
	$(VENV)/bin/drillsim compare payment_outage grading_training tested_dr_switch -n 200 --seed 42 \
		--workers 1 --json > tests/fixtures/compare_payment_outage.json

clean:
	rm -rf $(VENV) .pytest_cache run-*.jsonl
