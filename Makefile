# Two targets do all set-up: `make key` writes the DI504 answer key to out/, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KEY_PDF := out/di504-midterm-2021/answer-key.pdf

.PHONY: key test test-fast venv tex clean

# Fails (exit 1) unless this run wrote the PDF: derive alone exits 0 with a note when TeX is
# missing. A failed TeX install is reported and the .tex and answers.json are still written.
key: venv
	@bash .ci/install-tex || echo "make key: TeX install failed; deriving without the PDF" >&2
	@stamp=$$(mktemp) && trap 'rm -f "$$stamp"' EXIT && \
	$(PY) -m symdl derive && \
	if [ -n "$$(find $(KEY_PDF) -newer "$$stamp" -size +0 2>/dev/null)" ]; then :; else \
	  echo "make key: no PDF was made ($(KEY_PDF)); the .tex and answers.json are beside it; install TeX (see .ci/install-tex)" >&2; exit 1; fi

# The whole suite, one worker per core (pytest-xdist); the tests that need TeX or Chromium skip
# without them. test-fast leaves out the slow (> ~5 s CPU), TeX and browser tests (README, "Tests").
FAST := not slow and not tex and not browser

test: venv tex
	$(PY) -m pytest -q -n auto --dist loadfile

test-fast: venv
	$(PY) -m pytest -q -n auto --dist loadfile -m "$(FAST)"

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

tex:
	@bash .ci/install-tex

# Removes only output folders symdl wrote and still holds unchanged (their manifest), never a
# file symdl did not write; then the CI venvs and build files.
clean:
	@for d in out/*/; do [ -d "$$d" ] || continue; \
	  if $(PY) -c "import sys; from pathlib import Path; from symdl import outdir; sys.exit(1 if outdir.foreign_files(Path(sys.argv[1])) else 0)" "$$d"; \
	  then rm -rf "$$d"; else echo "make clean: kept $$d (not a folder symdl wrote, or changed since)" >&2; fi; done
	rm -rf build *.egg-info
