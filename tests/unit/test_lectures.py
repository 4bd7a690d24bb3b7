"""The lecture models, built and trained in this process, in graph mode."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import shared_data

tf = pytest.importorskip("tensorflow.compat.v1")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.disable_v2_behavior()
    with tf.Graph().as_default() as graph:
        yield graph


def test_add_pow_values_and_ops(fresh_graph):
    from tfinspect.lectures import add_pow

    model = add_pow.build()
    assert [op.name for op in fresh_graph.get_operations()] == ["x", "y", "Add", "Mul", "Mul_1", "Pow"]
    assert model.useless.name == "Mul_1:0"
    assert add_pow.run(model) == {"pow_op": 15625, "useless": 10}


def test_linreg_lecture_recipe_on_the_real_table():
    from tfinspect.lectures import linreg
    from tfinspect.lectures.data import read_birth_life

    data = read_birth_life(str(shared_data("birth_life_2010.txt")))
    assert data.shape == (190, 2)
    result = linreg.train(linreg.build_placeholders("squared"), data, epochs=100)
    assert result["w"] == pytest.approx(-6.07, abs=0.01)
    assert result["b"] == pytest.approx(84.93, abs=0.01)


def test_linreg_dataset_pipeline_matches_the_feed_dict_one():
    from tfinspect.lectures import linreg
    from tfinspect.lectures.data import generated_birth_life

    data = generated_birth_life(rows=40)
    fed = linreg.train(linreg.build_placeholders("squared"), data, epochs=5)
    with tf.Graph().as_default():
        streamed = linreg.train(linreg.build_dataset(data, "squared"), data, epochs=5)
    assert streamed["w"] == pytest.approx(fed["w"], rel=1e-4)
    assert streamed["b"] == pytest.approx(fed["b"], rel=1e-4)


def test_huber_loss_is_quadratic_then_linear():
    from tfinspect.lectures.linreg import huber_loss

    labels = tf.constant([0.0, 0.0, 0.0])
    predictions = tf.constant([1.0, 14.0, 20.0])
    with tf.Session() as sess:
        values = sess.run(huber_loss(labels, predictions, delta=14.0))
    assert values.tolist() == pytest.approx([0.5, 98.0, 14 * 20 - 98.0])


@pytest.mark.parametrize("variant, count", [("broken", 8), ("shared", 4), ("auto_reuse", 4)])
def test_two_layers_variable_counts(variant, count):
    from tfinspect.lectures import two_layers

    result = two_layers.run(two_layers.build(variant))
    assert result == {"logits_shapes": [[200, 10], [200, 10]], "variables": count}


def test_two_layers_unknown_variant():
    from tfinspect.lectures import two_layers

    with pytest.raises(ValueError, match="unknown variant 'nope'"):
        two_layers.build("nope")


def test_word2vec_nce_loss_falls_on_real_text(tmp_path):
    from tfinspect.lectures.data import Vocabulary, read_words
    from tfinspect.lectures.word2vec import SkipGramModel, SkipGramParams

    words = read_words(str(shared_data("lee_background.cor")))
    params = SkipGramParams(vocab_size=2000, embed_size=64)
    vocab = Vocabulary.build(words, params.vocab_size)
    model = SkipGramModel(params, vocab.encode(words)).build_graph()
    averages = model.train(400, checkpoint_dir=str(tmp_path / "ckpt"), report_every=50)
    assert len(averages) == 8
    assert averages[-1] < 0.5 * averages[0], averages
    assert tf.train.latest_checkpoint(str(tmp_path / "ckpt")).endswith("skip-gram-400")


def test_word2vec_restores_its_checkpoint_and_continues(tmp_path):
    from tfinspect.lectures.data import Vocabulary, generated_words
    from tfinspect.lectures.word2vec import SkipGramModel, SkipGramParams

    words = generated_words(count=5000, vocabulary=300)
    params = SkipGramParams(vocab_size=300, embed_size=16, batch_size=32, num_sampled=8)
    ids = Vocabulary.build(words, params.vocab_size).encode(words)
    SkipGramModel(params, ids).build_graph().train(20, checkpoint_dir=str(tmp_path), report_every=10)
    with tf.Graph().as_default():
        SkipGramModel(params, ids).build_graph().train(10, checkpoint_dir=str(tmp_path), report_every=10)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("skip-gram-30")


def test_word2vec_scopes_and_variables(fresh_graph):
    from tfinspect.lectures.word2vec import SkipGramModel, SkipGramParams

    params = SkipGramParams(vocab_size=50, embed_size=8, batch_size=4, num_sampled=2)
    SkipGramModel(params, np.arange(100, dtype=np.int32) % 50).build_graph()
    assert [v.op.name for v in tf.global_variables()] == ["global_step", "embed_matrix", "nce_weight", "nce_bias"]
    scopes = {op.name.split("/")[0] for op in fresh_graph.get_operations() if "/" in op.name}
    assert {"data", "embed", "loss", "optimizer", "summaries"} <= scopes
