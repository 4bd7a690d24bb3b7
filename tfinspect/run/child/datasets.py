"""Iterate the script's tf.data datasets in the child process, so checks can see the ids they yield.

Runs after the script and after the final snapshot: the iterators it adds
never reach the captured graph. Only integer components are kept.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any

from tfinspect.run.child.errortext import error_summary
from tfinspect.record.layout import DATASETS, METADATA, PROGRESS_PREFIX, write_atomic


def install_dataset_hook(recorder) -> None:
    """Remember every graph-mode Dataset object by the name of its variant tensor."""
    from tensorflow.python.data.ops import dataset_ops

    original = dataset_ops.DatasetV2.__init__

    def init(self, variant_tensor):
        original(self, variant_tensor)
        graph = getattr(variant_tensor, "graph", None)
        name = getattr(variant_tensor, "name", None)
        if graph is not None and name and not getattr(graph, "building_function", False):
            recorder.datasets[(id(graph), name)] = self

    dataset_ops.DatasetV2.__init__ = init

    # A one-shot iterator copies the dataset into a function: its op does not lead back to the Dataset.
    make_one_shot = dataset_ops.DatasetV1._make_one_shot_iterator

    def one_shot(self):
        iterator = make_one_shot(self)
        resource = getattr(iterator, "_iterator_resource", None)
        if resource is not None and hasattr(resource, "op"):
            recorder.one_shot[(id(resource.graph), resource.op.name)] = self
        return iterator

    dataset_ops.DatasetV1._make_one_shot_iterator = one_shot


# Variables a dataset reads are initialised in the script's session only, not in tfinspect's own.
_READS_VARIABLES = "it reads variables, which are initialised only in the script's own session"


def _file_name(op_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", op_name) + ".npz"


def iterate_datasets(recorder, out_dir: str, max_elements: int, seconds: float = 60.0) -> None:
    """For each MakeIterator and OneShotIterator of the captured graphs, iterate its dataset (a new iterator
    over ``dataset.take(max_elements)``) and save the integer components."""
    import numpy as np
    import tensorflow.compat.v1 as tf

    results: list[dict[str, Any]] = []
    folder = os.path.join(out_dir, DATASETS)
    os.makedirs(folder, exist_ok=True)
    recorder.paused = True
    for extractor in recorder.extractors:
        graph = extractor.graph
        makers = [op for op in graph.get_operations() if op.type in ("MakeIterator", "OneShotIterator")]
        for maker in makers:
            if maker.type == "OneShotIterator":  # the iterator itself stands for where it was made
                iterator_name = maker.name
                dataset = recorder.one_shot.get((id(graph), maker.name))
            else:
                variant, iterator = maker.inputs[0], maker.inputs[1]
                iterator_name = iterator.op.name
                dataset = recorder.datasets.get((id(graph), variant.name))
            feeds = recorder.initializer_feeds.get((id(graph), maker.name)) or [None]
            entry = {"graph": extractor.graph_id, "make_iterator": maker.name, "iterator": iterator_name,
                     "elements": 0, "complete": False, "error": None, "file": None, "unfed": None}
            results.append(entry)
            iterator_op = maker if maker.type == "OneShotIterator" else maker.inputs[1].op
            stage = None if recorder.pipelines is None else recorder.pipelines.stage(graph, iterator_op)
            if stage is not None:  # it calls Python: what the script's own runs read is what was checked
                _from_script(np, recorder.pipelines.read.get((id(graph), iterator_name)), entry, stage, folder, maker)
                continue
            if dataset is None:
                entry["error"] = "the Dataset object was not seen when it was built"
                continue
            try:
                # As the script initialised it: each distinct feed_dict of its initializer runs, in turn.
                components: dict = {}
                for feed_dict in feeds:
                    part = _iterate(tf, np, graph, dataset, max_elements, seconds, maker.name, entry, feed_dict)
                    for key, value in part.items():
                        components[key] = np.concatenate([components[key], value]) if key in components else value
                    if entry["error"] or entry["unfed"]:
                        break
            except Exception as e:  # a generator that raises, a dataset that cannot be re-iterated
                entry["error"] = error_summary(e)
                if os.environ.get("TFINSPECT_DEBUG"):
                    import traceback

                    traceback.print_exc()
                continue
            if components:
                entry["file"] = _file_name(maker.name)
                np.savez(os.path.join(folder, entry["file"]), **components)
    meta_path = os.path.join(out_dir, METADATA)
    with open(meta_path, encoding="utf-8") as f:
        document = json.load(f)
    document["datasets"] = results
    write_atomic(meta_path, json.dumps(document).encode())


def _from_script(np, read, entry: dict, stage: str, folder: str, maker) -> None:
    """A pipeline that calls Python is not iterated again (its side effects would repeat): its entry holds the
    elements the script's runs read (run/child/pipelines.py)."""
    entry["python"] = stage
    if read is None:
        return
    entry.update(elements=read["elements"], complete=read["complete"], error=read["error"])
    components = {f"c{port}": np.concatenate(chunks) for port, chunks in read["chunks"].items() if chunks}
    if components:
        entry["file"] = _file_name(maker.name)
        np.savez(os.path.join(folder, entry["file"]), **components)


def _iterate(tf, np, graph, dataset, max_elements: int, seconds: float, label: str, entry: dict,
             feed_dict: dict | None = None) -> dict:
    with graph.as_default():
        iterator = tf.data.make_initializable_iterator(dataset.take(max_elements))
        element = iterator.get_next()
        tables = tf.tables_initializer()  # lookup tables used in Dataset.map, as the script initialised them
    flat = tf.nest.flatten(element)
    chunks: list[list] = [[] for _ in flat]
    deadline = time.monotonic() + seconds
    with tf.Session(graph=graph) as sess:
        sess.run(tables)
        try:
            sess.run(iterator.initializer, feed_dict=feed_dict)
        except tf.errors.FailedPreconditionError as e:
            if "uninitialized" not in str(e).lower():
                raise
            entry["unfed"] = _READS_VARIABLES
            return {}
        except tf.errors.InvalidArgumentError as e:
            if "must feed a value for placeholder" not in str(e):
                raise
            # The script never ran this initializer with its feeds: the ids cannot be known.
            placeholder = re.search(r"placeholder tensor '([^']+)'", str(e))
            entry["unfed"] = (f"it reads the placeholder {placeholder.group(1) if placeholder else '?'}, which no "
                              "captured run of its initializer fed")
            return {}
        start = entry["elements"]
        while entry["elements"] - start < max_elements and time.monotonic() < deadline:
            try:
                values = sess.run(flat)
            except tf.errors.OutOfRangeError:
                entry["complete"] = True
                break
            except Exception as e:  # keep what came before: those ids are still checked
                if entry["elements"] == start and "uninitialized" in str(e).lower():
                    # it reads variables, which only the script's own session initialised: not a pipeline error
                    entry["unfed"] = _READS_VARIABLES
                    break
                entry["error"] = f"after {entry['elements']} elements: {error_summary(e)}"
                break
            for chunk, value in zip(chunks, values):
                chunk.append(np.asarray(value))
            entry["elements"] += 1
            if entry["elements"] % 500 == 0:
                print(f"{PROGRESS_PREFIX}{entry['elements']} {max_elements} {label}", flush=True)
    result = {}
    for k, chunk in enumerate(chunks):
        if chunk and chunk[0].dtype.kind in "iu":
            result[f"c{k}"] = np.concatenate([c.reshape(-1) for c in chunk])
    print(f"tfinspect: iterated {entry['elements']} elements of the dataset behind {label}", file=sys.stderr)
    return result
