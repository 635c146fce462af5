"""The ways in: the command line (`python -m sim`) and the browser app (`python -m sim serve`)."""
