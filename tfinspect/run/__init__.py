"""Running a script: the only place that runs user code.

``sources`` dispatches on the kind of source (a graph file goes to ``tfinspect.readers``; only a ``.py``
name or ``--script`` runs). ``runner`` runs a script in a child process and supervises it (time,
memory, leftovers), then reads back the capture record it wrote. ``child/`` is what runs inside that
process, beside the user's script: the hooks, the run policy (``child/policy.py``: execute, skim or
stop each run), extraction, and the checks that stop a run before it executes.
"""
