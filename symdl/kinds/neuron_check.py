"""Re-export of the neuron kind's high-precision helpers (now in symdl/kinds/neuron/check.py).

Kept only while symdl/kinds/softmax_check.py imports ``DPS, STEP_DIGITS, exact, mp, number``
from here; it goes when the softmax kind takes them from a shared module.
"""

from symdl.kinds.neuron.check import DPS, STEP_DIGITS, exact, mp, number  # noqa: F401
