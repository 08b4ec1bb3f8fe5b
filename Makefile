# The two commands a newcomer needs:  `make lab`  and  `make test`.
# Both create/update .venv from pyproject.toml; re-runs skip what is already done.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD  := build
LAB_PORT ?= 8888

.PHONY: lab hub hub-image hub-proxy test test-slow lint typecheck course datasets venv system-deps bench handbook clean help

help:
	@echo "make lab    - set everything up and open the labs in JupyterLab"
	@echo "make test   - set everything up and run ruff, mypy and the tests"
	@echo "make hub    - the class's JupyterHub on 127.0.0.1:8000 (demo instructor and trainee)"
	@echo "make handbook - the course Handbook (HTML site and PDF, trainee and instructor editions) in build/handbook"
	@echo "make check-lab LAB=lab1_phone - a trainee on make lab: mark the saved notebook (marks only, never answers)"
	@echo "make mark   - autograde every submission of the class on Dask (WORKERS=N, SCHEDULER=tcp://host:8786)"
	@echo "make bench  - the benchmarks, as ratios to the peer tools (make bench-grading: marking vs nbgrader)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 (or newer) is required" >&2; exit 1; }
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required ($(PYTHON))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[course,hub,dev,handbook]'
	@touch $@

venv: $(STAMP)

# Outside tools some tests use (tshark, chromium). Installed only where we may
# (root with apt-get, as in CI); elsewhere those tests skip with their reason.
system-deps:
	@bash .ci/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check forensics_lib datasets tests benchmarks grading

typecheck: $(STAMP)
	$(BIN)/mypy

# In CI (CI set) the fuzz tests run ten times as many hostile inputs and the slow suites
# run too (60 seeded cases, the large case: about 10 min more in all); CI's hypothesis runs
# are derandomised, so a CI result can be replayed exactly.
test: $(STAMP) system-deps lint typecheck
	@scale=$${FORENSICS_FUZZ_SCALE:-$$(if [ -n "$$CI" ]; then echo 10; else echo 1; fi)}; \
	  marks=$$(if [ -n "$$CI" ]; then echo ""; else echo "not slow"; fi); \
	  echo "fuzz scale $$scale; tests: $${marks:-all, slow suites included}"; \
	  FORENSICS_FUZZ_SCALE=$$scale $(BIN)/python -m pytest -m "$$marks" --durations=25; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

# Everything, slow suites included, with the deep fuzz.
test-slow: $(STAMP)
	@FORENSICS_FUZZ_SCALE=10 $(BIN)/python -m pytest; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

datasets: $(STAMP)
	$(BIN)/python -m forensics_datasets make-default --out $(BUILD)/datasets

course: datasets
	$(BIN)/python grading/course.py build --datasets $(BUILD)/datasets --out $(BUILD)

lab: course
	$(BIN)/python grading/course.py serve --root $(BUILD)/lab --port $(LAB_PORT)

# Self-study: submit a lab saved in `make lab` and mark it (make check-lab LAB=lab1_phone).
.PHONY: check-lab
check-lab: $(STAMP)
	@test -n "$(LAB)" || { echo "which lab? e.g. make check-lab LAB=lab1_phone" >&2; exit 2; }
	$(BIN)/python grading/check_lab.py $(LAB) --build $(BUILD)

# configurable-http-proxy (JupyterHub's proxy) from npm, into build/node (no root needed).
CHP := $(BUILD)/node/node_modules/.bin/configurable-http-proxy
$(CHP):
	@command -v npm >/dev/null || { echo "npm is required for the hub's proxy (apt-get install npm)" >&2; exit 1; }
	npm install --prefix $(BUILD)/node --no-audit --no-fund --loglevel=error configurable-http-proxy@5.3.0

hub-proxy: $(CHP)

HUB_PORT ?= 8000
hub: $(STAMP) $(CHP)
	$(BIN)/python grading/hub/launch.py --root $(BUILD)/hub --port $(HUB_PORT)

# The trainees' image (grading/hub/Dockerfile): released notebooks only.
hub-image: course
	docker build -f grading/hub/Dockerfile -t forensics-kit:latest .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Mark the class: every submission of LABS (default: every lab) in COURSE, on Dask: a local
# cluster of WORKERS processes (default: one per core), or SCHEDULER=tcp://host:8786.
COURSE ?= $(BUILD)/course
LABS ?= $(notdir $(wildcard notebooks/lab*))
.PHONY: mark bench-grading
mark: $(STAMP)
	$(BIN)/python grading/course.py autograde $(LABS) --course $(COURSE) \
	  $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

# Our marking against sequential `nbgrader autograde` on TRAINEES x 6 labs (default 30).
TRAINEES ?= 30
bench-grading: $(STAMP)
	$(BIN)/python -m benchmarks.bench_grading --trainees $(TRAINEES)

# The Handbook, both editions: build/handbook/{trainee,instructor}/{html/,handbook.pdf}.
# Built offline from labs/, notebooks/ (released via nbgrader in a temporary course) and
# grading/catalogue.json; the notebooks run against a demo case (8-9 min on a busy 2-core machine).
handbook: $(STAMP)
	$(BIN)/python handbook/build.py --out $(BUILD)/handbook

clean:
	rm -rf $(BUILD) .pytest_cache .mypy_cache .ruff_cache
