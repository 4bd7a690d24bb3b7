"""The capture record: what a captured source is, as plain data, and how it is stored.

``model`` (``Capture`` and its parts), ``layout`` (the files of a capture directory, which the parent and
the child agree on), ``options`` (``CaptureOptions``, the one options record the API, the CLI and the
child share), ``schema`` (the schema of ``capture.json``) and ``reader`` (the validating reader).
Every layer above reads a ``Capture``; none of this knows where one came from.
"""
