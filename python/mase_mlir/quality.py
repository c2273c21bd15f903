"""Quality of a quantized model's outputs against its FP32 outputs.

Needs no downloads: an encoder is scored by the cosine similarity of its
mean-pooled sentence embeddings, by nearest-neighbour (retrieval) agreement
between the sentences and by the Spearman rank correlation of all pairwise
sentence similarities; a decoder (outputs with a vocabulary axis) by logit KL
divergence and top-1 token agreement. Every output also gets its relative L2
error.
"""

from __future__ import annotations

import numpy as np

__all__ = ["compare_outputs", "is_decoder_output", "sentence_embeddings"]


def sentence_embeddings(hidden: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Mean over the tokens the attention mask keeps: [batch, seq, dim] -> [batch, dim]."""
    hidden = np.asarray(hidden, dtype=np.float64)
    if mask is None:
        return hidden.mean(axis=1)
    weights = np.asarray(mask, dtype=np.float64)[..., None]
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    return (a * b).sum(axis=-1) / np.maximum(norms, 1e-30)


def _nearest_neighbours(e: np.ndarray) -> np.ndarray:
    sims = _cosine(e[:, None, :], e[None, :, :])
    np.fill_diagonal(sims, -np.inf)
    return sims.argmax(axis=1)


def _pairwise_similarities(e: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair i < j, in a fixed order."""
    unit = e / np.maximum(np.linalg.norm(e, axis=-1, keepdims=True), 1e-30)
    return (unit @ unit.T)[np.triu_indices(len(e), k=1)]


def is_decoder_output(first_output: np.ndarray, attention_mask: np.ndarray | None) -> bool:
    """Logits [batch, seq, vocab] of a model without an attention-mask input."""
    return first_output.ndim == 3 and first_output.shape[-1] >= 128 and attention_mask is None


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def compare_outputs(
    reference: list[np.ndarray],
    quantized: list[np.ndarray],
    *,
    attention_mask: np.ndarray | None = None,
    decoder: bool = False,
) -> dict:
    """Scores of ``quantized`` against ``reference`` (same structure)."""
    scores: dict = {"outputs": []}
    for ref, got in zip(reference, quantized, strict=True):
        ref64 = np.asarray(ref, dtype=np.float64)
        got64 = np.asarray(got, dtype=np.float64)
        err = np.linalg.norm(got64 - ref64) / max(np.linalg.norm(ref64), 1e-30)
        scores["outputs"].append({"shape": list(ref64.shape), "relative_l2_error": float(err)})
    first_ref = np.asarray(reference[0], dtype=np.float64)
    first_got = np.asarray(quantized[0], dtype=np.float64)
    if decoder and first_ref.ndim >= 2:
        p = _log_softmax(first_ref)
        q = _log_softmax(first_got)
        kl = (np.exp(p) * (p - q)).sum(axis=-1)
        scores["logit_kl_divergence"] = float(kl.mean())
        scores["top1_agreement"] = float((p.argmax(-1) == q.argmax(-1)).mean())
    elif first_ref.ndim == 3:
        e_ref = sentence_embeddings(first_ref, attention_mask)
        e_got = sentence_embeddings(first_got, attention_mask)
        cos = _cosine(e_ref, e_got)
        scores["embedding_cosine_mean"] = float(cos.mean())
        scores["embedding_cosine_min"] = float(cos.min())
        if len(e_ref) > 2:
            agree = _nearest_neighbours(e_ref) == _nearest_neighbours(e_got)
            scores["nearest_neighbour_agreement"] = float(agree.mean())
            from scipy.stats import spearmanr  # scipy is slow to import; only needed here

            rho = spearmanr(_pairwise_similarities(e_ref), _pairwise_similarities(e_got))[0]
            scores["similarity_spearman"] = float(rho)
    return scores
