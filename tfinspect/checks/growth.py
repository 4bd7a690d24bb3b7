"""The graph grows while the script runs: ops created inside a training loop ("lazy loading")."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity

FAMILY = "growth"
MIN_GROWTHS = 2  # a line built once between two runs of a loop (an evaluation op) is normal; twice is a loop


@check("TFI009", "ops-created-in-loop", Severity.WARNING, family=FAMILY,
       evidence={"run_line": "the `Session.run` line", "runs": "its runs", "ops_created": "ops created between them",
                 "ops_first": "graph size at its first run", "ops_last": "at its last run",
                 "growths": "times the graph grew between its runs"})
def ops_created_in_loop(context: CheckContext) -> Iterator[Finding]:
    """Ops are created between runs of the same ``Session.run`` line: the graph grows as the loop runs.

    What it checks:
        For each ``Session.run`` line, the graph's size at each of its runs. When ops were created between
        its runs more than once, the lines that created them are named (the ops created between runs are
        those the graph gained, in creation order).

    Why it matters:
        "Lazy loading": ``sess.run(tf.add(x, y))`` inside a loop adds an op at every step. The graph grows
        without bound, each step gets slower, memory climbs, and a graph written to TensorBoard shows
        thousands of copies. It also happens with a ``Saver``, an initializer or an evaluation op built
        inside the loop.

    Example:
        ``for _ in range(10): sess.run(tf.add(x, y))`` grows the graph by one op per step.

    Fix:
        Build the op once, before the loop, and run it in the loop (``z = tf.add(x, y)`` then
        ``sess.run(z)``). ``tf.get_default_graph().finalize()`` before the loop makes TensorFlow raise at
        any op created after it.
    """
    capture = context.capture
    for graph in capture.graphs:
        by_line: dict[tuple, list] = {}
        for run in capture.runs:
            if run.graph == graph.id and run.source is not None:
                by_line.setdefault((run.source.file, run.source.line), []).append(run)
        names = None
        for runs in by_line.values():
            spans = [(a.ops_before, b.ops_before) for a, b in zip(runs, runs[1:]) if b.ops_before > a.ops_before]
            if len(spans) < MIN_GROWTHS:
                continue
            if names is None:
                names = [node.name for node in graph.graph_def.node]
            created = [names[i] for start, end in spans for i in range(start, min(end, len(names)))]
            lines = Counter((s.file, s.line) for s in (graph.sources.get(n) for n in created) if s is not None)
            if not lines:
                continue
            (file, line), _ = lines.most_common(1)[0]
            source = next(graph.sources[n] for n in created
                          if graph.sources.get(n) is not None and (graph.sources[n].file, graph.sources[n].line) == (file, line))
            loop = runs[0]
            first, last = runs[0].ops_before, runs[-1].ops_before
            examples = ", ".join(created[:3]) + (", ..." if len(created) > 3 else "")
            yield Finding(created[0],
                f"{len(created)} ops were created between the {len(runs)} runs of {loop.source.short()} "
                f"({examples}): the graph grew from {first} to {last} ops while the loop ran",
                hint="Build the op once before the loop and run it inside; tf.get_default_graph().finalize() "
                     "before the loop makes TensorFlow raise where an op is created.",
                source=source, related=(Related("the loop's Session.run", loop.source),), graph=graph.id,
                evidence={"run_line": {"file": loop.source.file, "line": loop.source.line},
                          "runs": len(runs), "ops_created": len(created), "ops_first": first, "ops_last": last,
                          "growths": len(spans)},
            )
