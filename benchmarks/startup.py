"""What a user waits for before the first label: import, first model load, one-file CLI call.

    python -m benchmarks.startup [FILE]     # FILE: the article the CLI classifies (default: the demo sample)

Each figure is the wall time of a fresh interpreter (``subprocess``), so nothing is
cached between runs, the median of ``repeats`` runs after one warm-up (which fills
the operating system's file cache, as any second call of a user would find it):

- ``import``: ``python -c "import narratives"``;
- ``load_model``: ``load_model()`` plus one ``classify()`` of a short paragraph inside one
  interpreter, measured in-process after the import (what the first call costs);
- ``classify_cli``: ``narratives classify FILE -o /dev/null``, the whole command.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo_article.txt"

_LOAD = """
import time, json
import narratives
start = time.perf_counter()
model = narratives.load_model()
loaded = time.perf_counter()
narratives.classify("Soldiers seized the state broadcaster on Monday.", model=model)
done = time.perf_counter()
print(json.dumps({"load_model": loaded - start, "first_classify": done - loaded}))
"""


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def startup_seconds(file: Path = DEMO, repeats: int = 5) -> dict[str, float]:
    """Median seconds of import, model load (in-process), first classify and a one-file CLI call."""
    python = sys.executable
    cli = [python, "-m", "narratives", "classify", str(file), "-o", "/dev/null"]
    for command in ([python, "-c", "import narratives"], cli):
        _wall(command)  # warm-up
    imports = [_wall([python, "-c", "import narratives"]) for _ in range(repeats)]
    cli_times = [_wall(cli) for _ in range(repeats)]
    loads = []
    for _ in range(repeats):
        done = subprocess.run([python, "-c", _LOAD], check=True, capture_output=True, text=True, cwd=ROOT)
        loads.append(json.loads(done.stdout))
    return {
        "import": statistics.median(imports),
        "load_model": statistics.median(run["load_model"] for run in loads),
        "first_classify": statistics.median(run["first_classify"] for run in loads),
        "classify_cli": statistics.median(cli_times),
        "repeats": repeats,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    result = startup_seconds(Path(args[0]) if args else DEMO)
    for name, seconds in result.items():
        if name != "repeats":
            print(f"{name:<16}{seconds:>8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
