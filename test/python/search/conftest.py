"""Shared fixtures: llama-tiny imported once (the search tests' fast model)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def llama_module():
    from mase_mlir.frontend import import_model
    from mase_mlir.frontend.models import llama_tiny

    model, inputs = llama_tiny()
    return import_model(model, inputs)
