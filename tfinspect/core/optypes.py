"""Every op-type table tfinspect uses, in one module that imports nothing (commands that read files start fast).

A new op that analyses must recognise is added here, once; nothing else lists op types.
"""

# Variables, by op type: "ref" (VariableV2, TF1's default) or "resource" (VarHandleOp).
VARIABLE_OPS = {"VariableV2": "ref", "Variable": "ref", "VarHandleOp": "resource"}

PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
# Placeholders a run must feed (a PlaceholderWithDefault has a value of its own).
REQUIRED_PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2"})

# Ops whose value is known without running anything upstream (where ids can come from).
SOURCE_VALUE_OPS = frozenset(VARIABLE_OPS) | {"Const"}

# Ops that change a variable's state when they run (drawn as such; a run that skips one skips its update).
MUTATING_PREFIXES = ("Assign", "ScatterAdd", "ScatterSub", "ScatterUpdate", "ScatterMul", "ScatterDiv",
                     "ResourceApply", "ResourceScatter", "ResourceSparseApply", "Apply", "SparseApply",
                     "ResourceAssign", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")


def is_mutating(op_type: str) -> bool:
    return op_type.startswith(MUTATING_PREFIXES)

# Ops that hand a run its next input: a skimmed run still executes them, so datasets and queues advance and
# end (OutOfRangeError) where they would.
INPUT_PREFIXES = ("IteratorGetNext", "QueueDequeue")
# Ops whose Python side effects a skimmed run would skip: such a run is not skimmed.
PY_FUNC_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
# Ops that (re)initialise an input pipeline: a run of them always executes (it is cheap, and a loop's epochs
# depend on it).
INITIALIZER_OPS = frozenset({"MakeIterator", "InitializeTableV2", "InitializeTableFromTextFileV2",
                             "LookupTableImportV2"})

PRINT_OPS = frozenset({"Print", "PrintV2"})
SUMMARY_OPS = frozenset({"ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "AudioSummaryV2",
                         "TensorSummary", "TensorSummaryV2", "MergeSummary"})
# Ops that add to a variable (global_step's increment).
INCREMENT_OPS = frozenset({"AssignAdd", "AssignAddVariableOp"})

# Stateful random ops that take a (seed, seed2) pair: the same pair and shape give the same numbers.
RANDOM_OPS = frozenset({"RandomStandardNormal", "RandomUniform", "TruncatedNormal", "RandomUniformInt",
                        "RandomShuffle", "Multinomial", "RandomGamma", "RandomPoissonV2", "ParameterizedTruncatedNormal"})
# Ops that draw from a seeded stream (seed/seed2 attributes): random values, and candidate samplers (nce_loss).
SEEDED_OPS = RANDOM_OPS | {"LogUniformCandidateSampler", "UniformCandidateSampler", "FixedUnigramCandidateSampler",
                           "LearnedUnigramCandidateSampler", "AllCandidateSampler", "RandomShuffleQueueV2",
                           "RandomCrop"}

# Ops that need inputs of a known rank (a matrix, an image batch): a placeholder of unknown rank feeding one
# defers every shape error to the run.
RANK_SENSITIVE_OPS = frozenset({"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "Conv3D",
                                "DepthwiseConv2dNative", "MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D"})
# Ops that pass a value through with its shape (followed from a placeholder to its real consumer).
PASS_THROUGH_OPS = frozenset({"Identity", "Cast", "StopGradient"})
