"""Calibration with uncertainty."""
