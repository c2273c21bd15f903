"""Models that cannot be imported: one clear error, no torch logs, hints only where they apply;
model factories that fail: an InputError naming the file and line."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mase_mlir.errors import InputError
from mase_mlir.frontend import ExportError, FrontendError, UnsupportedOpError, import_to_text
from mase_mlir.frontend.models import llama_tiny, load_model

USE_CACHE_HINT = "use_cache"
VALUES_HINT = "depend on the values of its inputs"


class Box:
    def __init__(self, t):
        self.t = t


class CustomOutput(nn.Module):
    def forward(self, x):
        return Box(x * 2)


class DataDependent(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return x


class WrongShape(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc(x)  # the example input has 8 features


class HalfInside(nn.Module):
    def forward(self, x):
        return (x.half() * 2).float()


def export_error(model, *inputs) -> str:
    with pytest.raises(ExportError) as info:
        import_to_text(model, inputs)
    return str(info.value)


def test_hint_for_custom_outputs_only(capfd):
    message = export_error(CustomOutput(), torch.randn(2, 8))
    assert "Found <class" in message and USE_CACHE_HINT in message
    assert capfd.readouterr().err == ""


def test_data_dependent_control_flow(capfd):
    message = export_error(DataDependent(), torch.randn(2, 8))
    assert VALUES_HINT in message and USE_CACHE_HINT not in message
    assert f"{__file__}:" in message  # the user's line
    assert "def forward" not in message and "\n\n" not in message
    # torch logs its state and prints a partial graph to stderr when export fails: not here
    assert capfd.readouterr().err == ""


def test_shape_mismatch_has_no_hint(capfd):
    message = export_error(WrongShape(), torch.randn(2, 8))
    assert "must have same reduction dim" in message
    assert USE_CACHE_HINT not in message and VALUES_HINT not in message
    assert f"{__file__}:" in message
    assert capfd.readouterr().err == ""


def test_float16_model_is_an_error_and_stays_float16():
    model = nn.Linear(8, 4).half()
    with pytest.raises(FrontendError, match=r"mase imports float32 models, but 3 tensor\(s\) "
                                            r"of the model are not float32 \(e.g. weight: "
                                            r"torch.float16\)"):
        import_to_text(model, (torch.randn(2, 8).half(),))
    assert model.weight.dtype == torch.float16


def test_float16_inputs_are_an_error():
    with pytest.raises(FrontendError, match="example input 0: torch.float64"):
        import_to_text(nn.Linear(8, 4), (torch.randn(2, 8, dtype=torch.float64),))


def test_float16_computation_inside_is_unsupported():
    with pytest.raises(UnsupportedOpError, match="unsupported element type f16"):
        import_to_text(HalfInside(), (torch.randn(2, 8),))


def test_not_a_module():
    with pytest.raises(FrontendError, match="must be a torch.nn.Module, got function"):
        import_to_text(lambda x: x, (torch.randn(2),))


FACTORIES = {
    "raises": ("def make():\n    raise RuntimeError('no weights here')\n",
               r"model\.py:make failed: RuntimeError: no weights here \(at .*model\.py:2\)"),
    "syntax": ("def make(:\n    pass\n", r"model\.py:1: cannot load the model file: "),
    "import": ("import no_such_module_anywhere\n",
               r"cannot load the model file .*model\.py: ModuleNotFoundError: .*"
               r"no_such_module_anywhere.*\(at .*model\.py:1\)"),
    "not-module": ("def make():\n    return 3, ()\n",
                   r"must return a torch.nn.Module first, got int"),
    "not-pair": ("def make():\n    return 3\n",
                 r"must return \(torch.nn.Module, example_inputs\), got int"),
    "triple": ("def make():\n    return 1, 2, 3\n",
               r"must return \(torch.nn.Module, example_inputs\), got a tuple of 3"),
    "missing": ("x = 1\n", r"has no function 'make'"),
    "not-callable": ("make = 3\n", r"'make' is a int, not a function"),
}


@pytest.mark.parametrize("case", sorted(FACTORIES))
def test_factory_errors(tmp_path, case):
    source, message = FACTORIES[case]
    (tmp_path / "model.py").write_text(source)
    with pytest.raises(InputError, match=message):
        load_model(f"{tmp_path / 'model.py'}:make")


def test_factory_file_not_utf8(tmp_path):
    (tmp_path / "model.py").write_bytes(b"NAME = 'caf\xe9'\ndef make():\n    pass\n")
    with pytest.raises(InputError, match=r"model\.py:1: cannot load the model file: .*utf-8"):
        load_model(f"{tmp_path / 'model.py'}:make")


def test_factory_path_is_a_directory(tmp_path):
    (tmp_path / "dir.py").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        load_model(f"{tmp_path / 'dir.py'}:make")


@pytest.mark.parametrize("layers", [0, -1, True, 2.0])
def test_layers_must_be_a_positive_integer(layers):
    with pytest.raises((InputError, TypeError)):
        load_model("llama-tiny", layers=layers)
    with pytest.raises((InputError, TypeError)):
        llama_tiny(layers=layers)


def test_options_a_model_does_not_take(tmp_path):
    with pytest.raises(InputError, match="model 'minilm' does not take layers="):
        load_model("minilm", layers=2)
