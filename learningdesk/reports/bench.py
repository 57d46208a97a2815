"""The reports' measures in make bench (issue 11): the national and a branch dashboard. See core/bench.py."""
