"""Forms for the work with employers, one module per part."""
