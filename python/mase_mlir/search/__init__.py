"""Mixed-precision search over per-op, per-operand MX formats (``mase search``).

Modules, one job each: :mod:`.data` (evaluation sentences), :mod:`.metrics` (quality
metrics), :mod:`.space` (the search space), :mod:`.evaluate` (scoring one config).
See docs/search.md.
"""
