"""Build (and with --train, train) one lecture model: the script `tfinspect lecture` runs.

It runs in tfinspect's child process like any user script, so the lecture is
captured and shown exactly as a user's script would be. Progress goes to
stdout as lines tfinspect's parent turns into a progress bar.
"""

from __future__ import annotations

import argparse
import json
import sys

import tensorflow.compat.v1 as tf

from tfinspect.record.layout import PROGRESS_PREFIX


def report_progress(done: int, total: int, loss: float) -> None:
    print(f"{PROGRESS_PREFIX}{done} {total} {loss:.6g}", flush=True)


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="tfinspect lecture")
    parser.add_argument("name")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--data")
    parser.add_argument("--loss", default="squared", choices=("squared", "huber"))
    parser.add_argument("--steps", type=int)
    parser.add_argument("--checkpoints")
    args = parser.parse_args(argv)
    name = args.name
    if name.endswith("_tf2"):  # the eager lecture's models: TensorFlow 2 as it is, tf.function and GradientTape
        return _tf2(name, args)
    tf.disable_v2_behavior()
    if name == "add_pow":
        from tfinspect.lectures import add_pow

        return add_pow.run(add_pow.build())
    if name.startswith("two_layers_"):
        from tfinspect.lectures import two_layers

        return two_layers.run(two_layers.build(name.removeprefix("two_layers_")))
    if name in ("linreg", "linreg_data"):
        from tfinspect.lectures import linreg
        from tfinspect.lectures.data import birth_life

        data = birth_life(args.data)
        if name == "linreg":
            model = linreg.build_placeholders(args.loss)
        else:
            model = linreg.build_dataset(data, args.loss)
        epochs = (args.steps or 100) if args.train else 1
        return linreg.train(model, data if args.train else data[:1], epochs=epochs,
                            progress=report_progress if args.train else None)
    if name == "word2vec":
        from tfinspect.lectures.data import Vocabulary, generated_words, read_words
        from tfinspect.lectures.word2vec import SkipGramModel, SkipGramParams

        words = read_words(args.data) if args.data else generated_words()
        params = SkipGramParams(vocab_size=min(5000, len(set(words)) + 1))
        vocab = Vocabulary.build(words, params.vocab_size)
        model = SkipGramModel(params, vocab.encode(words)).build_graph()
        steps = (args.steps or 2000) if args.train else 1
        averages = model.train(steps, checkpoint_dir=args.checkpoints, report_every=min(50, steps),
                               progress=report_progress if args.train else None)
        return {"first_loss": averages[0], "last_loss": averages[-1], "vocabulary": len(vocab.words)}
    raise SystemExit(f"unknown lecture {name!r}")


def _tf2(name: str, args) -> dict:
    from tfinspect.lectures import eager
    from tfinspect.lectures.data import Vocabulary, birth_life, generated_words, read_words
    from tfinspect.lectures.word2vec import SkipGramParams

    if name == "linreg_tf2":
        data = birth_life(args.data)
        epochs = (args.steps or 100) if args.train else 1
        return eager.linreg_tf2(data if args.train else data[:1], args.loss, epochs=epochs,
                                progress=report_progress if args.train else None)
    if name == "word2vec_tf2":
        words = read_words(args.data) if args.data else generated_words()
        params = SkipGramParams(vocab_size=min(5000, len(set(words)) + 1))
        vocab = Vocabulary.build(words, params.vocab_size)
        steps = (args.steps or 2000) if args.train else 1
        averages = eager.word2vec_tf2(vocab.encode(words), vocab_size=params.vocab_size,
                                      embed_size=params.embed_size, batch_size=params.batch_size,
                                      num_sampled=params.num_sampled, learning_rate=params.learning_rate,
                                      steps=steps, report_every=min(50, steps),
                                      progress=report_progress if args.train else None)
        return {"first_loss": averages[0], "last_loss": averages[-1], "vocabulary": len(vocab.words)}
    raise SystemExit(f"unknown lecture {name!r}")


if __name__ == "__main__":
    result = main(sys.argv[1:])
    print("lecture result: " + "  ".join(f"{k}={json.dumps(v)}" for k, v in result.items()))
