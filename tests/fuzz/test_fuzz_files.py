"""Mutated files of every kind (graph files, saved captures with their arrays' headers, checkpoints) through
every command that reads a file: exit 0, 1 or 2 only, never a traceback or exit 3, each within 5 s, no control
character and no line starting '::' in any output, and no input raising the peak memory by 1 GiB.

The inputs come from a fixed seed, so a failure names an input that can be made again. The CI run
mutates ``TFINSPECT_FUZZ`` inputs (default 2000); ``TFINSPECT_FUZZ=10000 pytest tests/fuzz`` is the
longer run docs/security.md records.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

COUNT = int(os.environ.get("TFINSPECT_FUZZ", "2000"))
SEED = 20261203
COMMANDS = (("summary",), ("graph", "--format", "json"), ("check", "--format", "json"), ("scopes", "--format", "json"),
            ("dump", "--format", "pbtxt"), ("collections", "--format", "json"), ("graph",), ("check",),
            ("scopes",), ("subgraph", "--format", "json"), ("dump", "--format", "dot"), ("summary", "--format", "json"),
            ("diff", "--format", "json"), ("diff", "--no-check"))
# What no text output may hold, whatever the input: a control character (newline and tab aside) or a line
# that starts with '::' (a CI workflow command), docs/security.md.
_CONTROL = set(map(chr, [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                         *range(0x2066, 0x206A)]))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, Path]:
    """One valid file of each kind, made by TensorFlow and by tfinspect itself."""
    tf = pytest.importorskip("tensorflow").compat.v1
    tf.disable_v2_behavior()
    folder = tmp_path_factory.mktemp("seeds")
    with tf.Graph().as_default() as graph:
        ids = tf.placeholder(tf.int32, [None], name="ids")
        with tf.variable_scope("embed"):
            table = tf.get_variable("table", [20, 4])
        vectors = tf.nn.embedding_lookup(table, ids, name="lookup")
        picked = tf.gather(table, tf.constant([1, 25]), name="picked")
        loss = tf.reduce_sum(vectors) + tf.reduce_sum(picked)
        tf.train.AdamOptimizer(0.1).minimize(loss)
        tf.add_to_collection("outputs", loss)
        graph_def = graph.as_graph_def(add_shapes=True)
        (folder / "graph.pb").write_bytes(graph_def.SerializeToString())
        tf.io.write_graph(graph_def, str(folder), "graph.pbtxt", as_text=True)
        tf.train.export_meta_graph(str(folder / "model.meta"), graph=graph)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            builder = tf.saved_model.Builder(str(folder / "saved"))
            signature = tf.saved_model.predict_signature_def({"ids": ids}, {"vectors": vectors})
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": signature})
            builder.save()
    assert run_cli("dump", str(folder / "graph.pb"), "--tensorboard", str(folder / "logs")).code == 0
    (event,) = (folder / "logs").iterdir()
    saved = folder / "model.tfinspect"
    script = FIXTURES / "checks" / "TFI002_fed_center_word.py"
    assert run_cli("graph", str(script), "--quiet", "--save", str(saved), "--format", "json").code == 2 or saved.exists()
    with tf.Graph().as_default():
        tf.get_variable("embed/table", [20, 4])
        tf.get_variable("bias", [4], initializer=tf.zeros_initializer())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver().save(sess, str(folder / "ckpt" / "model"))
    return {"pb": folder / "graph.pb", "pbtxt": folder / "graph.pbtxt", "meta": folder / "model.meta",
            "saved_model": folder / "saved" / "saved_model.pb", "events": event, "capture": saved,
            "checkpoint": Path(prefix + ".index")}


def _mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        kind = rng.randrange(6)
        at = rng.randrange(len(data) + 1) if data else 0
        if kind == 0 and data:  # flip bits
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:  # truncate
            del data[at:]
        elif kind == 2:  # random bytes
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif kind == 3 and data:  # a byte set to an extreme
            data[min(at, len(data) - 1)] = rng.choice((0, 0x7F, 0x80, 0xFF))
        elif kind == 4 and data:  # repeat a slice
            end = min(len(data), at + rng.randrange(1, 64))
            data[at:at] = data[at:end] * rng.randrange(1, 8)
        elif kind == 5 and data:  # delete a slice
            del data[at:at + rng.randrange(1, 32)]
    return bytes(data)


def _mutate_capture(rng: random.Random, source: Path, target: Path) -> None:
    """A saved capture with one member mutated (capture.json as JSON values, or as bytes)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    name = rng.choice(sorted(members))
    if name.endswith(".npz") and rng.random() < 0.5:  # the arrays' own headers, inside the archive's member
        members[name] = _mutate_npy_headers(rng, members[name])
    elif name == "capture.json" and rng.random() < 0.7:
        document = json.loads(members[name])
        _mutate_json(rng, document)
        members[name] = json.dumps(document).encode()
    else:
        members[name] = _mutate(rng, members[name])
    with zipfile.ZipFile(target, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def _mutate_npy_headers(rng: random.Random, data: bytes) -> bytes:
    """An .npz whose arrays' .npy headers (magic, version, the header dict's text) are mutated."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            arrays = {name: archive.read(name) for name in archive.namelist()}
    except zipfile.BadZipFile:
        return _mutate(rng, data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, array in arrays.items():
            head = min(len(array), 128)
            archive.writestr(name, _mutate(rng, array[:head]) + array[head:])
    return out.getvalue()


_ODD_VALUES = (None, -1, 0, 2 ** 63, 1.5, "", "x", "../../etc/passwd", "/dev/zero", [], {}, [None], True)


def _mutate_json(rng: random.Random, value, depth: int = 0) -> None:
    """Replace one value somewhere in a JSON document by an odd one."""
    if not isinstance(value, (dict, list)) or not value:
        return
    key = rng.choice(sorted(value)) if isinstance(value, dict) else rng.randrange(len(value))
    child = value[key]
    if depth > 3 or rng.random() < 0.3 or not isinstance(child, (dict, list)) or not child:
        value[key] = rng.choice(_ODD_VALUES)
    else:
        _mutate_json(rng, child, depth + 1)


def test_mutated_files_never_crash(seeds, tmp_path):
    import resource

    rng = random.Random(SEED)
    kinds = sorted(seeds)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    failures = []
    slowest = (0.0, "")
    for number in range(COUNT):
        kind = kinds[number % len(kinds)]
        command = COMMANDS[(number // len(kinds)) % len(COMMANDS)]
        seed = seeds[kind]
        case = tmp_path / f"case{number % 4}"
        shutil.rmtree(case, ignore_errors=True)
        case.mkdir()
        if kind == "capture":
            path = case / "model.tfinspect"
            _mutate_capture(rng, seed, path)
        elif kind == "checkpoint":  # its .index or its data file mutated; read by ckpt
            data_file = next(seed.parent.glob("model.data-*"))
            mutated = rng.choice((seed, data_file))
            for part in (seed, data_file):
                content = part.read_bytes()
                (case / part.name).write_bytes(_mutate(rng, content) if part == mutated else content)
            path = case / "model"
            command = ("ckpt", "--format", "json") if number % 2 else ("ckpt",)
        elif kind == "saved_model":
            path = case / "saved"
            path.mkdir()
            (path / "saved_model.pb").write_bytes(_mutate(rng, seed.read_bytes()))
        else:
            path = case / seed.name
            path.write_bytes(_mutate(rng, seed.read_bytes()))
        start = time.perf_counter()
        if command[0] == "diff":  # the damaged file against its pristine seed, as old and as new
            pristine = str(seed.parent if kind == "saved_model" else seed)
            sides = [str(path), pristine] if number % 2 else [pristine, str(path)]
            result = run_cli("diff", *sides, *command[1:])
        else:
            result = run_cli(command[0], str(path), *command[1:])
        elapsed = time.perf_counter() - start
        slowest = max(slowest, (elapsed, f"#{number} {kind} {command[0]}"))
        if result.code not in (0, 1, 2) or "Traceback" in result.err or elapsed > 5:
            failures.append(f"#{number} {kind} {' '.join(command)}: exit {result.code} in {elapsed:.1f} s: "
                            f"{result.err.strip().splitlines()[-1] if result.err.strip() else ''}")
        text = result.out + result.err
        forged = next((line for line in text.splitlines() if line.lstrip().startswith("::")), None)
        if _CONTROL & set(text) or forged is not None:
            failures.append(f"#{number} {kind} {' '.join(command)}: printed a control character "
                            f"{sorted(_CONTROL & set(text))!r} or a line starting '::': {forged!r}")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    print(f"{COUNT} inputs; slowest {slowest[0]:.2f} s ({slowest[1]}); peak memory grew by {grown // 1024} MiB")
    assert grown < 1 << 20, f"reading the inputs raised this process's peak memory by {grown // 1024} MiB"
    assert not failures, f"{len(failures)} of {COUNT} inputs failed:\n" + "\n".join(failures[:30])
