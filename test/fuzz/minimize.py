"""Shrink a crashing input while it still crashes the same way (delta debugging over lines,
then over the tokens of the lines left)."""

from __future__ import annotations

from collections.abc import Callable

from mutate import TOKEN


def _ddmin(items: list[str], join: Callable[[list[str]], str],
           crashes: Callable[[str], bool], budget: list[int]) -> list[str]:
    """Remove chunks of ``items`` (halves, quarters, ... single items) while ``crashes``."""
    chunk = max(1, len(items) // 2)
    while chunk >= 1 and budget[0] > 0:
        start, removed = 0, False
        while start < len(items) and budget[0] > 0:
            candidate = items[:start] + items[start + chunk:]
            budget[0] -= 1
            if candidate and crashes(join(candidate)):
                items, removed = candidate, True
            else:
                start += chunk
        if not removed:
            chunk //= 2
    return items


def minimize(text: str, crashes: Callable[[str], bool], attempts: int = 300) -> str:
    """The smallest text found (within ``attempts`` runs) that still ``crashes``."""
    budget = [attempts]
    lines = _ddmin(text.split("\n"), "\n".join, crashes, budget)
    text = "\n".join(lines)
    tokens = [m.group() for m in TOKEN.finditer(text)]
    if len(tokens) <= 400:  # token by token only once the lines are few
        kept = _ddmin(tokens, " ".join, crashes, budget)
        joined = " ".join(kept)
        if len(joined) < len(text) and crashes(joined):
            text = joined
    return text
