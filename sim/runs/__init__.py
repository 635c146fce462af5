"""One run: `run(params, seed)` (the unit of work of every interface and of sweeps), the run
folder it is written to, and the figures of a run."""
