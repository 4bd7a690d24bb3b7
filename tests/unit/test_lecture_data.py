"""Readers and generators of the lecture data (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from tfinspect.core.errors import SourceError
from tfinspect.lectures.data import (Vocabulary, birth_life, generated_words, read_birth_life, read_words,
                                     skipgram_batches)


def test_birth_life_reads_the_tab_separated_table(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Country\tBirth rate\tLife expectancy\nVietnam\t1.822\t74.828243902\nVanuatu\t3.869\t70.819\n")
    np.testing.assert_allclose(read_birth_life(str(path)), [[1.822, 74.828243902], [3.869, 70.819]], rtol=1e-6)


def test_birth_life_rejects_a_wrong_header(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match="expected a tab-separated header"):
        read_birth_life(str(path))


def test_birth_life_names_the_bad_line(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Country\tBirth rate\tLife expectancy\nX\tnot-a-number\t3\n")
    with pytest.raises(SourceError, match=r"t.txt:2: expected"):
        read_birth_life(str(path))


def test_generated_stand_in_has_the_real_shape_and_trend():
    data = birth_life(None)
    assert data.shape == (190, 2) and data.dtype == np.float32
    slope = np.polyfit(data[:, 0], data[:, 1], 1)[0]
    assert -7 < slope < -4.5


def test_missing_text_file(tmp_path):
    with pytest.raises(SourceError, match="cannot read"):
        read_words(str(tmp_path / "nope.txt"))


def test_vocabulary_keeps_the_most_common_words_and_unk():
    vocab = Vocabulary.build(["b", "a", "b", "c", "b", "a"], size=3)
    assert vocab.words == ("UNK", "b", "a")
    assert vocab.encode(["a", "c", "b"]).tolist() == [2, 0, 1]


def test_skipgram_batches_pair_neighbours():
    ids = np.arange(10, dtype=np.int32)
    centers, targets = next(skipgram_batches(ids, batch_size=8, skip_window=1))
    assert centers.shape == (8,) and targets.shape == (8, 1)
    assert np.all(np.abs(centers - targets[:, 0]) == 1)


def test_generated_words_are_zipfian():
    import collections

    counts = [n for _, n in collections.Counter(generated_words(count=10000, vocabulary=500)).most_common()]
    assert counts[0] > 5 * counts[100]
