"""Template helpers of the ULR network."""
