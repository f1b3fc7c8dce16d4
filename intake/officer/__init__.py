"""The officers' console: the triage queue and case work."""
