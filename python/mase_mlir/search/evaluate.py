"""Scoring one precision config: exact MX execution, quality, average bits, hardware cost.

:class:`Evaluator` prepares once what does not change between trials (the imported float
module, the data, the FP32 reference outputs, the decoded quantized weights) and then scores
configs: ``passes.assign_precision`` on a clone of the imported module (never a re-import),
the interpreter's exact MX numerics on every chunk of the data, the quality metrics of
:mod:`mase_mlir.quality` against FP32, the bit counts of :mod:`mase_mlir.report` and the
cost model of :mod:`mase_mlir.search.cost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import interp, passes
from .. import numerics as mxn
from ..fixed_calibration import is_symbolic, measure_ranges, resolve_config, symbolic_width
from ..frontend import import_model
from ..frontend.models import load_model
from ..numerics import Format
from ..quality import compare_outputs, is_decoder_output
from ..report import build_report
from .data import Dataset, make_datasets
from .metrics import Metric, default_metric, metric

__all__ = ["Evaluation", "Evaluator", "default_data_kind", "probe_ops"]

_PROBE_FORMAT = "mxint<8,8,{}>"  # applicability depends only on the block size


@dataclass
class Evaluation:
    """What one config scored on one dataset."""

    quality: float
    scores: dict
    bits: dict
    cost: dict
    seconds: float
    config: dict  # what was applied: fixedW made concrete per op and role
    report: dict = field(default_factory=dict, repr=False)

    def summary(self) -> dict:
        return {"quality": self.quality, "scores": self.scores, "bits": self.bits,
                "cost": self.cost, "seconds": round(self.seconds, 3)}


def _as_arrays(outputs: list[Any]) -> list[np.ndarray]:
    return [mxn.dequantize(o) if isinstance(o, mxn.MXTensor) else np.asarray(o)
            for o in outputs]


def default_data_kind(model_spec: str, torch_model: Any, example: list[np.ndarray]) -> str:
    """``sentences`` for MiniLM (its tokenizer is bundled), ``bytes`` for models whose only
    input is token ids and whose vocabulary has at least 256 entries, else ``example``."""
    if model_spec == "minilm":
        return "sentences"
    vocab = getattr(getattr(torch_model, "config", None), "vocab_size", None)
    ids = example[0]
    if (len(example) == 1 and ids.ndim == 2 and np.issubdtype(ids.dtype, np.integer)
            and isinstance(vocab, int) and vocab >= 256):
        return "bytes"
    return "example"


def _same_but_block(fmt: Format, probe: Format) -> bool:
    return (fmt.element, fmt.scale_bits) == (probe.element, probe.scale_bits) and \
        fmt.block_size <= probe.block_size


def probe_ops(module: Any, formats: dict[str, list[str]]
              ) -> tuple[dict[str, tuple[str, ...]], Callable[[str, str], frozenset[str]]]:
    """The compute ops of ``module`` (name -> roles it has) and, per role and format, the
    ops whose operand of that role the pass would give that format.

    Applicability is read from the pass itself: the module is assigned one probe format
    per role and block size, and the report says which operands took it.
    """
    roles_of: dict[str, set[str]] = {}
    for row in build_report(module)["ops"]:
        have = {r for r in ("input", "weight", "bias", "output") if row[r] is not None}
        roles_of.setdefault(row["name"], set()).update(have)
    ops = {name: tuple(r for r in ("input", "weight", "bias", "output") if r in roles)
           for name, roles in roles_of.items()}

    def block_size(spelling: str) -> int:
        return 1 if symbolic_width(spelling) is not None else Format.parse(spelling).block_size

    taken: dict[tuple[str, int], frozenset[str]] = {}
    for role, candidates in formats.items():
        for block in sorted({block_size(f) for f in candidates if f != "f32"}):
            probe = Format.parse(_PROBE_FORMAT.format(block))
            clone = module.operation.clone()
            passes.assign_precision(clone, {"default": {role: str(probe)}}, diagnostics=[])
            names = set()
            for row in build_report(clone)["ops"]:
                spelled = row[role].split("/") if row[role] else []
                # The probe, or the probe in one shorter block (a dimension below it).
                if any(s != "f32" and _same_but_block(Format.parse(s), probe) for s in spelled):
                    names.add(row["name"])
            taken[(role, block)] = frozenset(names)

    def applicable(role: str, fmt: str) -> frozenset[str]:
        if fmt == "f32":
            return frozenset(ops)
        return taken.get((role, block_size(fmt)), frozenset())

    return ops, applicable


class Evaluator:
    """A model prepared for scoring many precision configs."""

    def __init__(self, model: str, *, data: str | None = None, calibration: int = 32,
                 evaluation: int = 256, metric_name: str | None = None,
                 cost_model: Any = None, log: Callable[[str], None] | None = None) -> None:
        self.log = log or (lambda message: None)
        self.model = model
        self.log(f"loading model {model!r}")
        torch_model, inputs = load_model(model)
        example = [i.numpy() if hasattr(i, "numpy") else np.asarray(i) for i in inputs]
        self.data_kind = data or default_data_kind(model, torch_model, example)
        self.calibration, self.evaluation = make_datasets(
            self.data_kind, example, evaluation=evaluation, calibration=calibration)
        self.log("importing through torch-mlir into the mx dialect")
        self.module = import_model(torch_model, tuple(inputs))
        del torch_model
        mask = self.calibration.attention_mask
        self._references: dict[str, list[np.ndarray]] = {}
        first = self.reference(self.calibration)
        self.decoder = _is_decoder(first, mask)
        self.metric: Metric = (metric(metric_name, self.decoder) if metric_name
                               else default_metric(self.decoder))
        self.cost_model = cost_model
        self.constants: dict = {}  # decoded constants, shared by every trial's program
        self._ranges: dict | None = None

    def ranges(self) -> dict:
        """FP32 operand ranges per op and role on the calibration set (for ``fixedW``)."""
        if self._ranges is None:
            self.log("measuring FP32 ranges for the fixed-point calibration")
            self._ranges = measure_ranges(self.module, self.calibration.chunks)
        return self._ranges

    def concrete(self, config: dict) -> dict:
        """``config`` with every ``fixedW`` calibrated per op and role."""
        return resolve_config(self.module, config, self.ranges()) if is_symbolic(config) \
            else config

    # --- data ---------------------------------------------------------------------------

    def dataset(self, name: str) -> Dataset:
        return {"calibration": self.calibration, "evaluation": self.evaluation}[name]

    def run(self, program: Any, data: Dataset) -> list[np.ndarray]:
        """Outputs of ``program`` over every chunk, concatenated (padding dropped)."""
        per_chunk = [_as_arrays(interp.execute(program, chunk)) for chunk in data.chunks]
        outputs = [np.concatenate([c[i] for c in per_chunk]) for i in range(len(per_chunk[0]))]
        if data.padding:
            outputs = [o[: len(o) - data.padding] for o in outputs]
        return outputs

    def reference(self, data: Dataset) -> list[np.ndarray]:
        """FP32 outputs (the interpreter on the float module), computed once per dataset."""
        if data.digest not in self._references:
            self.log(f"FP32 reference on {data.name}: {data.size} sequences")
            self._references[data.digest] = self.run(interp.load(self.module), data)
        return self._references[data.digest]

    # --- scoring ------------------------------------------------------------------------

    def evaluate(self, config: dict, dataset: str = "calibration") -> Evaluation:
        """Score ``config`` (a precision config dict) on the calibration or evaluation set."""
        start = time.perf_counter()
        data = self.dataset(dataset)
        reference = self.reference(data)
        config = self.concrete(config)
        module = self.module.operation.clone()
        passes.assign_precision(module, config, diagnostics=[])
        report = build_report(module)
        program = interp.load(module, constants=self.constants)
        outputs = self.run(program, data)
        scores = compare_outputs(reference, outputs, attention_mask=data.attention_mask,
                                 decoder=self.decoder)
        summary = report["summary"]
        bits = {k: summary[k] for k in ("bits_per_value", "bits_per_weight",
                                         "bits_per_activation", "weight_values",
                                         "activation_values", "weight_bytes")}
        # Weight memory is exact from the types; cells need a calibrated cost model.
        cost = {"memory_bits": summary["weight_bytes"] * 8}
        if self.cost_model is not None:
            cost["cells"] = self.cost_model.module_cost(module)["cells"]
        quality = float(scores.get(self.metric.score, float("nan")))
        return Evaluation(quality, scores, bits, cost, time.perf_counter() - start, config,
                          report)


def _is_decoder(first_outputs: list[np.ndarray], mask: np.ndarray | None) -> bool:
    return is_decoder_output(first_outputs[0], mask)
