"""Tests of the browser app."""
