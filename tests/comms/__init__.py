"""Tests of the comms app (issue 9)."""
