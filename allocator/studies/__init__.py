"""The studies built on the solve: sweep, grid, compare, robust and agenda, and why each
region gets what it gets."""
