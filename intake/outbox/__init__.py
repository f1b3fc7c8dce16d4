"""Transactional outbox: jobs commit with the data they are about, then a relay hands them to Celery."""
