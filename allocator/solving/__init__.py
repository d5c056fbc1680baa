"""Solving and certifying: the model data, HiGHS, the staged solve, the certificate,
max-min, infeasibility, the price of fairness, and the Result they make."""
