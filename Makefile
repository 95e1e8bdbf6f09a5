# genderstats — the two commands of the README:
#   make report   set up (first time only) and build every report of the sample year
#   make test     set up (first time only) and run the whole test suite
# a year's work (set up first, when needed; ARGS= adds options, e.g. ARGS="--only digital-training"):
#   make new-year YEAR=113   make validate YEAR=113   make build YEAR=113
# and the two that change the lock (requirements.lock: every package's version and hashes):
#   make lock     after editing pyproject.toml's dependencies: re-lock, moving only what must
#   make upgrade  re-lock to the newest versions pyproject.toml allows, then make test
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 112
LOCK := requirements.lock
# A changed lock or pyproject.toml installs again.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) 2>/dev/null | sha1sum | cut -c1-12)
# The lock names no index: pip installs it from the index it is configured with. Its header
# names `make lock`, not the command line with this machine's paths.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
  --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --allow-unsafe \
  --extra dev --strip-extras -o $(LOCK) pyproject.toml

.PHONY: setup report build validate new-year git-filter test lab lint docs browser office lock \
  upgrade lock-tools clean help
.DEFAULT_GOAL := help

help:
	@echo "make report   建立環境並產製 $(YEAR) 年度所有報告（outputs/$(YEAR)/）"
	@echo "make test     建立環境並執行全部測試"
	@echo "make new-year YEAR=113   建立 113 年度的資料夾（Excel 範本、文字檔與待辦清單）"
	@echo "make validate YEAR=113   檢查 113 年度的資料"
	@echo "make build YEAR=113      產製 113 年度所有報告（同 make report YEAR=113）"
	@echo "make lab      以專案環境開啟 JupyterLab（可加 PORT=8890 TOKEN=密語）"
	@echo "make lint     ruff 檢查"
	@echo "make docs     由 notebooks/reports.yml 更新 data/README.md 的佔位符清單"
	@echo "make lock     改了 pyproject.toml 的相依套件後重新鎖定（requirements.lock）"
	@echo "make upgrade  把 requirements.lock 升到允許的最新版本並執行全部測試"

# Exactly the lock, every file checked against its hashes (stopped first, saying what to run,
# when pyproject.toml has changed without a re-lock); then the project itself editable
# (notebooks import it), built with the lock's setuptools.
$(STAMP): pyproject.toml $(LOCK)
	@bash scripts/setup-python.sh "$(PYTHON)" "$(VENV)"
	@$(BIN)/python scripts/check-lock.py
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	$(BIN)/genderstats fonts --install
	@rm -f $(VENV)/.installed-*
	@touch $@

# LibreOffice Writer converts the results report to PDF (root: installed; otherwise the
# command is printed and the build writes the ODT without a PDF).
setup: $(STAMP) office git-filter

# Notebooks are committed without outputs nor the kernel details JupyterLab writes into them
# (.gitattributes names the filter; this configures it, quietly when it already is).
git-filter: $(STAMP)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/python scripts/notebook-filter.py --install; fi

office:
	@bash scripts/setup-office.sh

$(LOCK):
	@echo "沒有 $(LOCK)：執行 make lock 建立。" >&2; exit 1

# pip-compile as the lock pins it (pip-tools is in the dev extra), even from a stale lock.
lock-tools:
	@bash scripts/setup-python.sh "$(PYTHON)" "$(VENV)"
	@if [ -f $(LOCK) ]; then $(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK); \
	else $(BIN)/pip install --quiet pip-tools; fi

lock: lock-tools
	$(PIP_COMPILE)

upgrade: lock-tools
	$(PIP_COMPILE) --upgrade
	$(MAKE) test

report build: setup
	$(BIN)/genderstats build --year $(YEAR) $(ARGS)

validate: $(STAMP)
	$(BIN)/genderstats validate --year $(YEAR) $(ARGS)

# No default year here: a new year's folder is made for the year named.
new-year: $(STAMP)
	$(if $(filter file,$(origin YEAR)),$(error 請指定年度，例如 make new-year YEAR=113))
	$(BIN)/genderstats new-year $(YEAR) $(ARGS)

browser: setup
	@bash scripts/setup-browser.sh "$(BIN)"

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# PORT=8890: that port or none (no other is tried); TOKEN=…: the token to log in with, instead
# of a new one printed at start. The config keeps git status clean after a notebook is run.
lab: setup
	$(BIN)/jupyter lab --config="$(CURDIR)/scripts/jupyter_lab_config.py" \
	  --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
	  $(if $(PORT),--ServerApp.port=$(PORT) --ServerApp.port_retries=0,) \
	  $(if $(TOKEN),--IdentityProvider.token='$(TOKEN)',) \
	  $(if $(filter 0,$(shell id -u)),--allow-root,)

docs: setup
	$(BIN)/python scripts/figures_doc.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf outputs .pytest_cache
