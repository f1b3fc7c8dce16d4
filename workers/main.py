"""Entry point for `celery -A workers.main worker|beat`: builds the Flask app once per process."""

from intake import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
