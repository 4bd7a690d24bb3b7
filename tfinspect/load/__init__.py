"""Loading: the only stage that knows where a graph came from.

``runner`` runs a script in a child process (``child`` and ``hooks`` run
inside it); ``store`` reads what it sends back. All of them produce the
same plain-data :class:`~tfinspect.load.model.Capture`.
"""
