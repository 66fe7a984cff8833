"""Worker processes that end with their parent.

The analysis and claim-checking stages run in worker processes (about 500 MB each with their
models). When the main process is killed alone (the kernel's out-of-memory killer picks the
largest process), its workers would otherwise live on for good. Each worker calls
`die_with_parent(pid of the parent)` when it starts: a daemon thread checks once a second that the parent is the
same process and ends the worker the moment it is not (an orphan is adopted by another
process). Polling, rather than Linux's PR_SET_PDEATHSIG, works on every POSIX system and is not
fooled when the thread that started the worker ends while the parent lives.
"""

from __future__ import annotations

import os
import threading
import time

# Seconds between two checks of the parent.
CHECK_EVERY = 1.0


def die_with_parent(parent: int, every: float = CHECK_EVERY) -> None:
    """End this process (exit status 1, no clean-up) as soon as its parent process `parent` is
    gone. The parent passes its own pid: a worker still importing its modules when the parent
    died has already been adopted by another process by the time this runs, and must end too."""
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(every)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
