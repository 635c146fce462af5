"""`python -m sim ...`: the command line (see sim.interfaces.cli.main)."""

from sim.interfaces.cli.main import main

raise SystemExit(main())
