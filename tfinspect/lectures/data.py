"""Data for the lecture models: the birth-rate/life-expectancy table and text corpora.

No data set ships with tfinspect. Given a file, these read the lectures'
formats; without one they generate a small deterministic stand-in, so every
lecture trains anywhere.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from tfinspect.core.errors import SourceError

BIRTH_LIFE_HEADER = ("Country", "Birth rate", "Life expectancy")


def read_birth_life(path: str) -> np.ndarray:
    """Read the tab-separated table (header ``Country  Birth rate  Life expectancy``).

    Returns:
        A float32 array of shape (rows, 2): birth rate, life expectancy.
    """
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None
    if not lines or tuple(c.strip() for c in lines[0].split("\t")) != BIRTH_LIFE_HEADER:
        raise SourceError(f"{path}: expected a tab-separated header 'Country<TAB>Birth rate<TAB>Life expectancy'")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            rows.append((float(fields[1]), float(fields[2])))
        except (IndexError, ValueError):
            raise SourceError(f"{path}:{number}: expected a country, a birth rate and a life expectancy") from None
    return np.asarray(rows, dtype=np.float32)


def generated_birth_life(rows: int = 190, seed: int = 2010) -> np.ndarray:
    """A stand-in with the real table's shape and trend (life expectancy falls with birth rate)."""
    rng = np.random.default_rng(seed)
    birth = rng.uniform(1.0, 7.5, size=rows)
    life = 85.7 - 5.72 * birth + rng.normal(0.0, 5.0, size=rows)
    return np.stack([birth, life], axis=1).astype(np.float32)


def birth_life(path: str | None) -> np.ndarray:
    return read_birth_life(path) if path else generated_birth_life()


_WORD = re.compile(r"[a-z0-9']+")


NUM_SAMPLED = 64  # negative classes word2vec's NCE loss samples per step (lectures.word2vec.SkipGramParams)


def check_vocabulary(path: str, words: list[str], num_sampled: int = NUM_SAMPLED) -> None:
    """A corpus whose vocabulary is not larger than ``num_sampled`` fails inside TensorFlow ("Sampler's range is
    too small"); say so about the file first."""
    distinct = len(set(words))
    if distinct + 1 <= num_sampled:  # + 1: the UNK entry
        raise SourceError(f"{path}: only {distinct} distinct words; word2vec's NCE loss samples {num_sampled} "
                          f"classes per step and needs a vocabulary larger than that")


def read_words(path: str) -> list[str]:
    """Words of a text file: text8 (one long line) or plain text, lower-cased."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            words = _WORD.findall(f.read().lower())
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None
    if len(words) < 100:
        raise SourceError(f"{path}: only {len(words)} words; word2vec needs a real text")
    return words


def generated_words(count: int = 60_000, vocabulary: int = 2_000, seed: int = 4) -> list[str]:
    """A Zipf-distributed stand-in corpus in which words co-occur with neighbours by topic."""
    rng = np.random.default_rng(seed)
    ranks = rng.zipf(1.3, size=count)
    ranks = np.where(ranks > vocabulary, rng.integers(1, vocabulary, size=count), ranks)
    topic = np.repeat(rng.integers(0, 20, size=count // 50 + 1), 50)[:count]
    ids = (ranks + topic * 7) % vocabulary
    return [f"w{i}" for i in ids]


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # index 0 is "UNK"
    index: dict[str, int]

    @classmethod
    def build(cls, words: list[str], size: int) -> Vocabulary:
        """The ``size - 1`` most common words, with everything else mapped to ``UNK`` (0)."""
        common = [w for w, _ in collections.Counter(words).most_common(size - 1)]
        vocab = ("UNK", *common)
        return cls(vocab, {w: i for i, w in enumerate(vocab)})

    def encode(self, words: list[str]) -> np.ndarray:
        return np.fromiter((self.index.get(w, 0) for w in words), dtype=np.int32, count=len(words))


def skipgram_batches(ids: np.ndarray, batch_size: int, skip_window: int, seed: int = 0
                     ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless (center words [batch], target words [batch, 1]) batches of skip-gram pairs."""
    rng = np.random.default_rng(seed)
    centers = np.empty(batch_size, dtype=np.int32)
    targets = np.empty((batch_size, 1), dtype=np.int32)
    filled = 0
    while True:
        for position in range(len(ids)):
            window = int(rng.integers(1, skip_window + 1))
            for offset in range(-window, window + 1):
                other = position + offset
                if offset == 0 or other < 0 or other >= len(ids):
                    continue
                centers[filled] = ids[position]
                targets[filled, 0] = ids[other]
                filled += 1
                if filled == batch_size:
                    yield centers.copy(), targets.copy()
                    filled = 0
