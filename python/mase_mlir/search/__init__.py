"""Mixed-precision search over per-op, per-operand MX formats (``mase search``).

Modules, one job each: :mod:`.data` (evaluation sentences), :mod:`.metrics` (quality
metrics), :mod:`.space` (the search space), :mod:`.evaluate` (scoring one config),
:mod:`.cost` (hardware cost model), :mod:`.storage` (the Optuna study, exact budgets,
heartbeats), :mod:`.worker` (one worker process), :mod:`.front` (Pareto front, baselines,
best config, plot), :mod:`.driver` (the whole search). See docs/search.md.
"""
