"""MetaGraphDef files (``.meta``, written by ``tf.train.Saver``): the graph, its collections, its signatures."""

from __future__ import annotations

from tfinspect.core.errors import SourceError
from tfinspect.readers.common import graph_from_meta_graph, read_bytes, signatures_of
from tfinspect.record.model import Capture
from tfinspect.record.layout import parse_message


def load_meta_graph(path: str) -> Capture:
    from tensorboard.compat.proto.meta_graph_pb2 import MetaGraphDef

    meta_graph = parse_message(MetaGraphDef(), read_bytes(path), path, "MetaGraphDef (.meta)")
    if not meta_graph.graph_def.node:
        raise SourceError(f"{path}: a MetaGraphDef without a graph")
    return Capture(source=path, origin="meta", graphs=(graph_from_meta_graph(meta_graph),),
                   signatures=signatures_of(meta_graph, 0))
