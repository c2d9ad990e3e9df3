# Two targets do all set-up: `make key` writes the DI504 answer key to out/, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: key test venv tex clean

key: venv tex
	$(PY) -m symdl derive

test: venv tex
	$(PY) -m pytest -q

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

tex:
	@bash .ci/install-tex

clean:
	rm -rf out/*/ out/.??* build *.egg-info
