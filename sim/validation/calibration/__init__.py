"""Calibration with uncertainty: which parameter sets reproduce the observed facts, and how
sure can we be?

The method is history matching with Gaussian-process emulators (Vernon, Goldstein & Bower
2010; for stochastic agent-based models Andrianakis et al. 2015), followed by a posterior
sampled on the last wave's emulator. We chose it over ABC-SMC (for example pyabc) because
each of its waves is a fixed design of parameter sets × seeds, which the project's own sweep
engine runs as an ordinary experiment: resumable from its store, in parallel on a local
Dask cluster or on any cluster whose address is given, and reproducible bit for bit from
the master seed whatever the number of workers. ABC-SMC draws its particles one by one
inside the sampler, so its runs cannot go through the store, an interrupted generation is
lost, and with parallel samplers the accepted set depends on timing. Emulators also need far
fewer runs than ABC for ten parameters (a few thousand rather than tens of thousands), which
keeps a full calibration within the two-hour budget of this machine.

One module per job:

    targets.py           what must be reproduced: named statistics of a run, ranges, sources
    prior.py             the plausible ranges of the free parameters; the calibration world
    emulator.py          Gaussian-process emulators of the targets (scikit-learn)
    history_matching.py  the waves: design, runs, emulators, implausibility, the NROY region
    posterior.py         the posterior sample on the last emulator (random-walk Metropolis)
    runs.py              the model's runs through the sweep engine (one experiment per batch)
    checks.py            posterior predictive and world-size checks
    report.py            the Markdown report and its figures
    cli.py               the command: python -m sim.validation.calibration
"""
