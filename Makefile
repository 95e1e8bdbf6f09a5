# genderstats — the two commands of the README:
#   make report   set up (first time only) and build every report of the sample year
#   make test     set up (first time only) and run the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 112
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup report test lab lint browser office clean help
.DEFAULT_GOAL := help

help:
	@echo "make report   建立環境並產製 $(YEAR) 年度所有報告（outputs/$(YEAR)/）"
	@echo "make test     建立環境並執行全部測試"
	@echo "make lab      以專案環境開啟 JupyterLab"
	@echo "make lint     ruff 檢查"

$(STAMP): pyproject.toml
	@bash scripts/setup-python.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/genderstats fonts --install
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install; \
	  echo "nbstripout: committed notebooks are stripped of outputs"; fi
	@rm -f $(VENV)/.installed-*
	@touch $@

# LibreOffice Writer converts the results report to PDF (root: installed; otherwise the
# command is printed and the build writes the ODT without a PDF).
setup: $(STAMP) office

office:
	@bash scripts/setup-office.sh

report: setup
	$(BIN)/genderstats build --year $(YEAR)

browser: setup
	@bash scripts/setup-browser.sh "$(BIN)"

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
	  $(if $(filter 0,$(shell id -u)),--allow-root,)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf outputs .pytest_cache
