"""The bits a tensor type occupies, read from the type (an MX type's own storage bits)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .. import ir
from ..dialects import mx


@dataclass(frozen=True)
class TypeInfo:
    """Format spelling, element count and storage bits of one tensor type."""

    spelling: str
    numel: int
    bits: int
    is_float: bool  # f32 or MX: a numeric value (not ids, masks or indices)


def type_info(type_: Any) -> TypeInfo | None:
    """What a tensor type stores; None for anything else (index scalars)."""
    if mx.TensorType.isinstance(type_):
        t = mx.TensorType(type_)
        spelling = str(mx.FormatAttr(t.format).spelling)
        return TypeInfo(spelling, math.prod(t.shape), int(t.storage_bits), True)
    if isinstance(type_, ir.RankedTensorType):
        element = type_.element_type
        numel = math.prod(type_.shape)
        width = element.width if hasattr(element, "width") else 32
        return TypeInfo(str(element), numel, numel * width, isinstance(element, ir.FloatType))
    return None
