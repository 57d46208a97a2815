"""Helpers for the reports' tests (issue 11)."""
