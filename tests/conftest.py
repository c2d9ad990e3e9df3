"""Test layout: tests/unit, tests/kinds/<kind>, tests/pipeline; tests/ itself (support, fakekind, data) is importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
