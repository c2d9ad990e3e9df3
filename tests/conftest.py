"""Test layout: tests/unit, tests/kinds/<kind>, tests/pipeline; tests/ itself (support, fakekind, data) is importable.

Markers (registered in setup.cfg, ``--strict-markers``) are applied here, from the lists below, so
that one place says which tests are slow or need TeX or Chromium; ``make test-fast`` runs
``-m "not slow and not tex and not browser"``. An entry is a module (every test in it) or
``module::test`` (every parametrization of that test). An entry that matches no test is an error,
so that a renamed test cannot silently lose its marker.

- ``tex``: the test runs TeX (latexmk or pdflatex), as found by running the whole suite with a
  latexmk/pdflatex on PATH that logged which test called it.
- ``browser``: the test opens a page in headless Chromium (support.find_browser; without one it
  skips, saying how to install one).
- ``slow``: the test (with the module fixtures it is first to need) took more than about 5 s of CPU,
  its own and its subprocesses', measured over the whole suite (Python 3.11, 2 cores).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import NO_BROWSER, find_browser  # noqa: E402  (needs the path above)

TEX = (
)

BROWSER = (
    "tests/pipeline/test_html.py::test_browser_lays_the_math_out",
    "tests/pipeline/test_html.py::test_di504_page_renders",
    "tests/pipeline/test_svg.py::test_chromium_draws_every_figure",
)

SLOW = (
)

MARKERS = {"tex": TEX, "browser": BROWSER, "slow": SLOW}


def _where(item):
    """(module path from the repository, test name without parameters), as the lists write them."""
    module, _, rest = item.nodeid.partition("::")
    return module, rest.split("[", 1)[0]


def pytest_collection_modifyitems(session, config, items):
    used = set()
    modules = set()
    for item in items:
        module, name = _where(item)
        modules.add(module)
        for marker, entries in MARKERS.items():
            for entry in (module, f"{module}::{name}"):
                if entry in entries:
                    item.add_marker(marker)
                    used.add(entry)
    # every entry of a collected module must match a test (a module given whole must itself be collected)
    stale = [e for entries in MARKERS.values() for e in entries
             if e.partition("::")[0] in modules and e not in used]
    if stale:
        raise pytest.UsageError("tests/conftest.py marks tests that do not exist: " + ", ".join(stale))


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is not None and find_browser() is None:
        pytest.skip(NO_BROWSER)


try:                     # no test's time depends on the machine's load: no per-example deadline
    from hypothesis import HealthCheck, settings

    settings.register_profile("symdl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("symdl")
except ImportError:      # hypothesis is in the [test] extra; the tests that use it import it themselves
    pass
