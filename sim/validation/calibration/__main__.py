"""`python -m sim.validation.calibration`: see sim.validation.calibration.cli."""

import sys

from .cli import main

sys.exit(main())
