"""`python -m sim ...`: the command line (see sim.cli)."""

from sim.cli import main

raise SystemExit(main())
