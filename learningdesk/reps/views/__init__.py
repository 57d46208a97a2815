"""The ULR network's screens, one module per part of the job; each module lists its own URLs."""
