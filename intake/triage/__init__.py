"""Triage: priority and the first move of a report out of `received`."""
