"""Celery application and the thin tasks that call `intake` services."""
