"""The documented limits of every input (docs/format.md, "Limits"), in one place.

Each is checked before the work it bounds: an amount before it reaches the solver, a count
before anything of that size is allocated. They lie far above any real budget question (the
Dutch state spends about €4 × 10^11 a year) and far below where floating point or HiGHS
lose their meaning (HiGHS reads 10^20 as infinity).
"""

from __future__ import annotations

#: Any one amount in euros: a need, an existing stream, a cap, a budget, a bound.
MAX_EUR = 1e13
#: A sum of amounts the model works with: the total need (after need scenarios or factors).
MAX_TOTAL_EUR = 1e15
#: Inhabitants of one region.
MAX_POPULATION = 1e10
#: A region or goal weight, a shortfall tier multiplier, and the ratio rules
#: (per-capita cap, co-financing ratio, efficiency loss).
MAX_WEIGHT = 1e4
#: A need factor (robust need scenarios, agenda years) and the agenda's ramp factor.
MAX_FACTOR = 1e3
#: Budgets on one curve (``sweep --steps``) and in one grid (``grid --budgets``).
MAX_STEPS = 10_000
#: Points of one grid (budgets x policy variants x need scenarios).
MAX_GRID_POINTS = 1_000_000
#: Policy variants in a scenario table, need scenarios in a need table.
MAX_SCENARIOS = 1_000
#: Seconds to wait for a Dask scheduler before giving up.
SCHEDULER_TIMEOUT_S = 5
