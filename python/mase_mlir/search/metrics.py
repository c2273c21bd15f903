"""The quality metrics a search can optimize, on top of :mod:`mase_mlir.quality`.

Each metric names a score of :func:`mase_mlir.quality.compare_outputs` and whether higher or
lower is better. Encoders (sentence embeddings) have ``cosine`` (mean embedding cosine
against FP32, the default), ``nn`` (nearest-neighbour agreement) and ``spearman`` (rank
correlation of all pairwise similarities); decoders (logits) have ``kl`` (mean KL divergence
of the next-token distributions, the default) and ``top1`` (top-1 token agreement).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["METRICS", "Metric", "default_metric", "metric"]


@dataclass(frozen=True)
class Metric:
    name: str
    score: str  # key in compare_outputs' scores
    maximize: bool
    label: str
    decoder: bool

    def better(self, a: float, b: float) -> bool:
        """``a`` is at least as good as ``b``."""
        return a >= b if self.maximize else a <= b

    @property
    def direction(self) -> str:
        return "maximize" if self.maximize else "minimize"


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("cosine", "embedding_cosine_mean", True, "mean embedding cosine vs FP32", False),
    Metric("nn", "nearest_neighbour_agreement", True, "nearest-neighbour agreement", False),
    Metric("spearman", "similarity_spearman", True, "Spearman of pairwise similarities",
           False),
    Metric("kl", "logit_kl_divergence", False, "logit KL divergence vs FP32", True),
    Metric("top1", "top1_agreement", True, "top-1 token agreement", True),
)}


def metric(name: str, decoder: bool) -> Metric:
    """The metric ``name``, checked against the kind of model (encoder or decoder)."""
    if name not in METRICS:
        raise ValueError(f"unknown quality metric {name!r}; expected one of "
                         f"{', '.join(METRICS)}")
    chosen = METRICS[name]
    if chosen.decoder != decoder:
        kind = "a decoder (logits)" if decoder else "an encoder (embeddings)"
        usable = ", ".join(m.name for m in METRICS.values() if m.decoder == decoder)
        raise ValueError(f"metric {name!r} does not apply to {kind}; use one of {usable}")
    return chosen


def default_metric(decoder: bool) -> Metric:
    return METRICS["kl" if decoder else "cosine"]
