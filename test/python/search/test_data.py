"""Evaluation data: real sentences from Python's documentation, chosen by a fixed rule."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mase_mlir.search.data import candidate_sentences, make_datasets, spread

MINILM_EXAMPLE = [np.zeros((8, 32), np.int64), np.ones((8, 32), np.int64)]


def test_candidates_follow_the_rule():
    sentences = candidate_sentences()
    assert len(sentences) >= 400
    assert len(set(sentences)) == len(sentences)
    for s in sentences:
        assert 8 <= len(s.split()) <= 30
        assert re.fullmatch(r"[A-Z][A-Za-z0-9 ,;:'\"()\-]*[A-Za-z0-9)\"']\.", s), s
    # The topics come in sorted order: the first sentences are about "assert".
    assert "assert" in sentences[0]


def test_spread_is_even_and_disjoint():
    items = list(range(100))
    chosen, rest = spread(items, 10)
    assert chosen == [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]
    assert sorted(chosen + rest) == items
    with pytest.raises(ValueError, match="only 100 are available"):
        spread(items, 101)


def test_minilm_sentences_are_tokenized_without_truncation():
    calibration, evaluation = make_datasets("sentences", MINILM_EXAMPLE, evaluation=20,
                                            calibration=12)
    assert evaluation.size == 20 and calibration.size == 12
    assert not set(evaluation.texts) & set(calibration.texts)
    # 20 = 2 chunks of 8 + 4, padded with copies of the first sentence (dropped later).
    assert len(evaluation.chunks) == 3 and evaluation.padding == 4
    for chunk in evaluation.chunks + calibration.chunks:
        ids, mask = chunk
        assert ids.shape == mask.shape == (8, 32)
        for row, keep in zip(ids, mask, strict=True):
            last = int(keep.sum()) - 1
            assert row[0] == 101 and row[last] == 102  # [CLS] ... [SEP]: nothing cut off
    assert evaluation.attention_mask.shape == (20, 32)
    again, _ = make_datasets("sentences", MINILM_EXAMPLE, evaluation=12, calibration=20)
    assert again.digest != calibration.digest
    same, _ = make_datasets("sentences", MINILM_EXAMPLE, evaluation=20, calibration=12)
    assert same.digest == calibration.digest and same.texts == calibration.texts


def test_bytes_are_prefixes_of_the_sentences():
    calibration, evaluation = make_datasets("bytes", [np.zeros((1, 16), np.int64)],
                                            evaluation=5, calibration=3)
    assert evaluation.size == 5 and len(evaluation.chunks) == 5
    for text, (ids,) in zip(evaluation.texts, evaluation.chunks, strict=True):
        assert ids.shape == (1, 16) and ids.max() < 256
        assert bytes(ids[0].tolist()).decode() == text
        assert any(s.startswith(text) for s in candidate_sentences())
    assert not set(evaluation.texts) & set(calibration.texts)


def test_example_data_is_the_models_own_inputs():
    calibration, evaluation = make_datasets("example", MINILM_EXAMPLE, evaluation=1,
                                            calibration=1)
    assert calibration is evaluation and calibration.size == 8


@pytest.mark.parametrize(("kind", "example", "message"), [
    ("poems", MINILM_EXAMPLE, "unknown data kind 'poems'"),
    ("bytes", MINILM_EXAMPLE, "only input is token ids"),
    ("sentences", [np.zeros((8, 32), np.float32)], "needs token ids"),
    ("sentences", MINILM_EXAMPLE[:1], r"needs inputs \(input_ids, attention_mask\)"),
])
def test_bad_data_requests(kind, example, message):
    with pytest.raises(ValueError, match=message):
        make_datasets(kind, example, evaluation=4, calibration=4)
