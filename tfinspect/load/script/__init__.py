"""The parent side of running a script: start the child, supervise it, read back its capture."""
