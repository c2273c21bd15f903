"""The converters are registered explicitly (``populate_*_handlers``), so the exported
``Converter`` converts in a process that imported nothing else of the frontend."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mase_mlir.frontend.convert import Handlers, default_handlers, supported_packets

FRESH_PROCESS = textwrap.dedent("""
    import torch

    from mase_mlir.frontend.convert import Converter
    from mase_mlir.frontend.exporting import export_model
    from mase_mlir.frontend.freezing import freeze
    from mase_mlir.frontend.naming import name_nodes
    from mase_mlir.frontend.torch_import import import_graph

    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU()).eval()
    graph = freeze(export_model(model, (torch.randn(2, 8),), frozenset({"linear", "relu"})))
    infos = {node.name: info for node, info in name_nodes(graph).items()}
    function = Converter(import_graph(graph, "forward"), infos, "forward").run()
    print(" ".join(op.kind for op in function.ops if op.kind.startswith("mx.")))
""")


def test_converter_has_its_handlers_in_a_fresh_process():
    proc = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["mx.linear", "mx.relu"]


def test_default_handlers():
    handlers = default_handlers()
    assert {"linear", "layer_norm", "scaled_dot_product_attention", "add", "view", "cat",
            "prims.convert_element_type"} <= set(handlers)
    assert supported_packets() == frozenset(handlers)


def test_a_packet_has_one_converter():
    handlers = Handlers()
    handlers.add(print, "linear")
    with pytest.raises(ValueError, match="two converters for aten packet 'linear'"):
        handlers.add(repr, "relu", "linear")
