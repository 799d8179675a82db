"""``qvalley demo`` works with the core install alone and prints every stop."""
from __future__ import annotations

import re
import subprocess
import sys


def test_demo_runs_and_reads_well():
    proc = subprocess.run([sys.executable, "-m", "qvalley", "demo"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for stop in ("1. A Bell pair", "2. A GHZ state", "3. Grover", "4. Where to run it"):
        assert stop in out
    assert re.search(r"^\s+00\s+\d+", out, re.M) and re.search(r"^\s+11111\s+\d+", out, re.M)
    fidelities = [float(x) for x in re.findall(r"\s(0\.\d{4})$", out, re.M)]
    assert len(fidelities) == 4 and all(0.8 < f <= 1 for f in fidelities)
    assert "Traceback" not in proc.stderr
