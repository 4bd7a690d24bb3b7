"""Renderers: one module per output format; nothing here analyses."""
