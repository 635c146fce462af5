"""The model core: parameters and scenarios, the world builder, the organisations and
residents, the mechanisms, the model and its outcomes (docs/ODD.md).

The core knows nothing about run folders, sweeps, the command line or the browser; they
call it. `GovernanceModel` is the entry point.
"""
