# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INSTANCE ?= instances/npvr-2026.xlsx

.PHONY: run agenda test bench lint instances clean serve browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/allocator solve $(INSTANCE)

agenda: $(VENV)/.installed
	$(BIN)/allocator agenda instances/npvr-agenda-2026-2029.xlsx

# The browser tests drive Debian's Chromium through its ChromeDriver, and the print tests
# render the reports with LibreOffice and read the PDF with poppler-utils; installed here
# when missing (as root, from Debian's packages), so that a fresh machine runs every test.
SYSTEM_PACKAGES := chromium chromium-driver libreoffice-calc-nogui poppler-utils
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && \
	  command -v soffice >/dev/null && command -v pdftotext >/dev/null || \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null \
	   || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
	       apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null))

test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest

serve: $(VENV)/.installed-web
	$(BIN)/allocator serve $(INSTANCE)

$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web]'
	touch $@

bench: $(VENV)/.installed-test
	$(BIN)/python -m pytest benchmarks -p no:cacheprovider --benchmark-only --benchmark-columns=median,min,rounds --benchmark-group-by=group --benchmark-sort=name

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy allocator models

instances: $(VENV)/.installed
	$(BIN)/python instances/build_npvr.py

clean:
	rm -rf $(VENV) reports/*.xlsx reports/*.json
