"""Analyses: functions of a Capture/GraphIndex returning frozen dataclasses; they never print."""
