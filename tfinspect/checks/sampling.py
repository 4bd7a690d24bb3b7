"""Candidate samplers asked for more distinct classes than they have (``nce_loss``, ``sampled_softmax_loss``)."""

from __future__ import annotations

from typing import Iterator

from tfinspect.analyses.lookups import SAMPLERS
from tfinspect.checks.bounds import FAMILY
from tfinspect.checks.finding import Finding, Severity
from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext


@check("TFI008", "num-sampled-exceeds-classes", Severity.ERROR, family=FAMILY,
       evidence={"sampler": "the sampler", "num_sampled": "samples asked for", "num_classes": "classes there are"})
def too_many_sampled(context: CheckContext) -> Iterator[Finding]:
    """A candidate sampler must draw more distinct classes than there are.

    What it checks:
        ``nce_loss`` and ``sampled_softmax_loss`` draw ``num_sampled`` distinct negative classes
        (``remove_accidental_hits`` aside, their samplers use ``unique=True``) from ``[0, num_classes)``.
        Every sampler op's ``num_sampled`` is compared with its ``range_max``.

    Why it matters:
        The first run that computes the loss fails with ``InvalidArgumentError: Sampler's range is too
        small.``, after the data was loaded and the graph built; it happens when ``num_classes`` is
        a small vocabulary (a toy corpus, rare words filtered out) and ``num_sampled`` was kept from a
        tutorial (64).

    Example:
        ``tf.nn.nce_loss(..., num_sampled=64, num_classes=50)``.

    Fix:
        Lower ``num_sampled`` below ``num_classes`` (a fraction of it), or sample with replacement
        through ``sampled_values=tf.random.uniform_candidate_sampler(..., unique=False)``.
    """
    for graph, index, _ in context.graphs():
        for node, op_type in enumerate(index.op_types):
            if op_type not in SAMPLERS:
                continue
            attr = index.graph_def.node[node].attr
            if "unique" in attr and not attr["unique"].b:
                continue
            num_sampled = int(attr["num_sampled"].i) if "num_sampled" in attr else None
            range_max = int(attr["range_max"].i) if "range_max" in attr else None
            if num_sampled is None or range_max is None or num_sampled <= range_max:
                continue
            name = index.names[node]
            yield Finding(name,
                f"{name} draws num_sampled={num_sampled} distinct classes from only num_classes={range_max}: "
                "the first run that computes the loss fails with \"Sampler's range is too small\"",
                hint=f"Use num_sampled below {range_max} (num_classes), or a sampler with unique=False.",
                source=graph.sources.get(name), graph=graph.id,
                evidence={"sampler": name, "num_sampled": num_sampled, "num_classes": range_max},
            )
