"""Op types that analyses single out, kept in a module that imports nothing (commands that read files start fast)."""

PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
