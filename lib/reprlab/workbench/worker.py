"""A worker of the ``local`` pool: ``python -m reprlab.workbench.worker '<run JSON>' [--rerun]``
executes one run (``{"notebook", "profile", "params"}``: its parameters as the launcher's plan
resolved and checked them, carried rather than resolved again) and exits 0 (completed), 10 (it
was complete already: reused), 1 (failed) or 130 (interrupted by SIGTERM or Ctrl-C, or its
launcher died; the run resumes when submitted again)."""

import json
import os
import signal
import sys
import threading
import time

from reprlab.workbench import skip_unused_imports
from reprlab.workbench.rundir import COMPLETED, REUSED
from reprlab.workbench.runner import run_resolved

REUSED_EXIT = 10


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def stop_when_orphaned(launcher: int, every: float = 1.0) -> threading.Thread:
    """Interrupt this process (SIGTERM, as the launcher's Ctrl-C does) once its parent is no longer
    ``launcher``: a launcher killed with SIGKILL cannot stop its workers, and a worker left behind
    would go on training and hold its run's lock. The run then records ``interrupted`` and resumes
    when submitted again."""

    def watch() -> None:
        while os.getppid() == launcher:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="orphan-watch", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> int:
    run = json.loads(argv[0])
    signal.signal(signal.SIGTERM, _interrupt)
    stop_when_orphaned(os.getppid())
    try:
        result = run_resolved(run["notebook"], run["profile"], run["params"], rerun="--rerun" in argv[1:])
    except KeyboardInterrupt:
        return 130
    return {COMPLETED: 0, REUSED: REUSED_EXIT}.get(result.status, 1)


if __name__ == "__main__":
    skip_unused_imports()
    sys.exit(main(sys.argv[1:]))
