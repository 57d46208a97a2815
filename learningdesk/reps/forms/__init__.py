"""Forms of the ULR network, one module per part of the job (as views/)."""
