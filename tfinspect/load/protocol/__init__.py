"""What the parent and the child agree on: the capture layout, its schema, the options record."""
