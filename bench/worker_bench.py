"""What a query worker costs to start: the import time (`python -X importtime`) and peak memory
(`/usr/bin/time -f %M`) of `sugraph.store.worker` and of pyoxigraph alone, each the minimum and
median over N fresh interpreters.

    python bench/worker_bench.py [N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys

STATEMENTS = ("import sugraph.store.worker", "import pyoxigraph")


def measure(statement: str, n: int) -> str:
    """'min ms (median), min MB (median)' of `statement` in n fresh interpreters."""
    times, peaks = [], []
    for _ in range(n):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
        ).stderr
        times.append(int(err.strip().splitlines()[-1].split("|")[1]) / 1000)
        err = subprocess.run(
            ["/usr/bin/time", "-f", "%M", sys.executable, "-c", statement], capture_output=True, text=True, check=True
        ).stderr
        peaks.append(int(err.strip().splitlines()[-1]) / 1024)
    return (
        f"{min(times):.0f} ms (median {statistics.median(times):.0f}), "
        f"{min(peaks):.1f} MB (median {statistics.median(peaks):.1f})"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for statement in STATEMENTS:
        print(f"| `{statement}` | {measure(statement, n)} |")
