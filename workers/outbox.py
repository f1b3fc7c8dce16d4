"""The periodic relay that publishes outbox jobs the web process could not hand over."""

from celery import shared_task

from intake.outbox import services


@shared_task(name="outbox.relay")
def relay() -> None:
    services.relay_pending()
