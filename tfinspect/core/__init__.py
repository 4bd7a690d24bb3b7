"""The base: what every layer may use, importing nothing else of tfinspect.

The exception hierarchy (``errors``), op-type tables (``optypes``), dtype names (``dtypes``), CLI option
types (``options``), atomic writes and temporary folders (``fileio``), ``[tool.tfinspect]`` and ignore
comments (``config``), and the version.
"""
