"""make bench: the committee report PDF (issue 11). See core/bench.py."""
