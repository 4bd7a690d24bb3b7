"""What runs inside the child process, beside the user's script: hooks, extraction, checks at run time."""
