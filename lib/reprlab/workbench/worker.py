"""A worker of the ``local`` pool: ``python -m reprlab.workbench.worker '<RunSpec JSON>' [--rerun]``
executes one run and exits 0 (completed), 10 (it was complete already: reused), 1 (failed) or 130
(interrupted by SIGTERM or Ctrl-C; the run resumes when submitted again)."""

import json
import signal
import sys

from reprlab.workbench import skip_unused_imports
from reprlab.workbench.runner import RunSpec, run_notebook

REUSED = 10


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    spec = RunSpec.from_json(json.loads(argv[0]))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = run_notebook(spec.notebook, spec.profile, dict(spec.overrides), rerun="--rerun" in argv[1:])
    except KeyboardInterrupt:
        return 130
    return {"completed": 0, "reused": REUSED}.get(result.status, 1)


if __name__ == "__main__":
    skip_unused_imports()
    sys.exit(main(sys.argv[1:]))
