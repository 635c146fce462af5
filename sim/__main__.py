"""`python -m sim ...`: the command line (see sim.interfaces.cli.main)."""

import os
import signal
import sys

from sim.interfaces.cli.main import main

code = main()
if code in (128 + signal.SIGINT, 128 + signal.SIGTERM):
    # interrupted: the command has stored what finished, logged its session and stopped its
    # workers; end now rather than in the interpreter's shut-down, where a second signal
    # would raise again (sim.interfaces.cli.interrupts)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
raise SystemExit(code)
