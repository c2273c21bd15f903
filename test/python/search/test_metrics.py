"""Quality metrics against FP32: embeddings (cosine, retrieval, Spearman) and logits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from mase_mlir.quality import compare_outputs, is_decoder_output
from mase_mlir.search.metrics import default_metric, metric


def _hidden(embeddings: np.ndarray) -> np.ndarray:
    """[n, dim] sentence embeddings as [n, 2, dim] hidden states whose mean is them."""
    return np.stack([embeddings * 2, np.zeros_like(embeddings)], axis=1)


def test_identical_outputs_score_perfectly():
    e = np.random.default_rng(0).standard_normal((6, 4))
    scores = compare_outputs([_hidden(e)], [_hidden(e)])
    assert scores["embedding_cosine_mean"] == pytest.approx(1.0)
    assert scores["nearest_neighbour_agreement"] == 1.0
    assert scores["similarity_spearman"] == pytest.approx(1.0)
    assert scores["outputs"][0]["relative_l2_error"] == 0.0


def test_hand_computed_embedding_scores():
    ref = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0.9, 0.1]])
    # Sentence 3's embedding moves next to sentence 0: its nearest neighbour changes.
    got = ref.copy()
    got[3] = [0.6, 0.4, 0]
    scores = compare_outputs([_hidden(ref)], [_hidden(got)])
    cos = (ref * got).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(got, axis=1)
    assert scores["embedding_cosine_mean"] == pytest.approx(cos.mean())

    def nearest(e):
        out = []
        for i, a in enumerate(e):
            sims = [(a @ b / np.linalg.norm(a) / np.linalg.norm(b), j)
                    for j, b in enumerate(e) if j != i]
            out.append(max(sims)[1])
        return np.array(out)

    assert list(nearest(ref)) == [1, 0, 3, 2]
    agreement = (nearest(ref) == nearest(got)).mean()
    assert 0 < agreement < 1
    assert scores["nearest_neighbour_agreement"] == agreement

    def pairs(e):
        u = e / np.linalg.norm(e, axis=1, keepdims=True)
        return (u @ u.T)[np.triu_indices(4, 1)]

    want = spearmanr(pairs(ref), pairs(got))[0]
    assert scores["similarity_spearman"] == pytest.approx(want)


def test_attention_mask_excludes_padding():
    hidden = np.zeros((3, 2, 2))
    hidden[:, 0] = [[1, 0], [0, 1], [1, 1]]
    noisy = hidden.copy()
    noisy[:, 1] = 100.0  # the padded position
    mask = np.array([[1, 0]] * 3)
    scores = compare_outputs([hidden], [noisy], attention_mask=mask)
    assert scores["embedding_cosine_mean"] == pytest.approx(1.0)


def test_decoder_scores():
    logits = np.log(np.array([[[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]]))
    other = np.log(np.array([[[0.2, 0.7, 0.1], [0.1, 0.3, 0.6]]]))
    scores = compare_outputs([logits], [other], decoder=True)
    kl0 = 0.7 * np.log(0.7 / 0.2) + 0.2 * np.log(0.2 / 0.7)
    assert scores["logit_kl_divergence"] == pytest.approx(kl0 / 2)
    assert scores["top1_agreement"] == 0.5
    assert is_decoder_output(np.zeros((1, 4, 256)), None)
    assert not is_decoder_output(np.zeros((1, 4, 256)), np.ones((1, 4)))
    assert not is_decoder_output(np.zeros((1, 4, 64)), None)


def test_metric_names_and_kinds():
    assert default_metric(decoder=False).score == "embedding_cosine_mean"
    assert default_metric(decoder=True).name == "kl" and not default_metric(True).maximize
    assert metric("nn", decoder=False).better(0.9, 0.8)
    assert metric("kl", decoder=True).better(0.1, 0.2)
    with pytest.raises(ValueError, match="unknown quality metric 'bleu'"):
        metric("bleu", decoder=False)
    with pytest.raises(ValueError, match="does not apply to a decoder"):
        metric("cosine", decoder=True)
