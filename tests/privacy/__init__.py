"""Tests of the privacy app (issue 9)."""
