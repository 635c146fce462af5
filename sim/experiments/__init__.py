"""Experiments over many runs: sweep definitions and designs, the engine that runs them
(in process or on Dask), the results store, statistics, analysis and reports, and adapters
to other experiment tools (EMA Workbench)."""
