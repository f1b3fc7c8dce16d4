"""Case events become notifications, and notifications leave, once each.

`plan` (a case event handler) opens a notification for each channel the reporter asked for, or lets
the event join the one already open: news within NOTIFY_BATCH_SECONDS makes one message. Its
delivery is a job through the outbox that waits until then (`deliver`). A server that is down gets
the message again later, with growing pauses, so nothing is lost; a retried or doubled job never
sends twice, because the notification is claimed (and that claim committed) before it leaves.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import CursorResult, Select, and_, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.extensions import db
from intake.notifications.channels import DeliveryFailed, channel_for, enabled_channels
from intake.notifications.messages import compose
from intake.notifications.models import (
    OPEN_STATES_SQL,
    Notification,
    NotificationChannel,
    NotificationState,
)
from intake.outbox.services import enqueue
from intake.reports.models import CaseEvent, CaseEventKind, Report, ReportStatus
from intake.types import utcnow
from intake.unit_of_work import commit

log = logging.getLogger(__name__)
# What a reporter is told about: a question for them, a message, and the end of the road.
NEWS_STATUSES = frozenset(
    {ReportStatus.NEEDS_INFO, ReportStatus.REFERRED, ReportStatus.RESOLVED, ReportStatus.REJECTED}
)
# A worker holds a notification this long while it sends it; past that, another may try again.
LEASE = timedelta(minutes=5)
LONGEST_PAUSE = timedelta(hours=1)


def is_news(event: CaseEvent) -> bool:
    if event.kind == CaseEventKind.MESSAGE:
        return True
    return event.kind == CaseEventKind.STATUS and event.to_status in NEWS_STATUSES


def _chosen_channels(report: Report) -> list[str]:
    """The channels that are set up, that the reporter asked for, and on which they can be reached."""
    reachable = {
        NotificationChannel.EMAIL.value: report.notify_email and bool(report.reporter_email),
        NotificationChannel.SMS.value: report.notify_sms and bool(report.reporter_phone),
    }
    return [channel for channel in enabled_channels(current_app.config) if reachable[channel]]


def wants(event: CaseEvent) -> bool:
    """News for a reporter who asked to hear of it (the report is already in the session: the change
    that records the event has just loaded it)."""
    if not is_news(event) or not enabled_channels(current_app.config):
        return False
    report = db.session.get(Report, event.report_id)
    return report is not None and bool(_chosen_channels(report))


def plan(event: CaseEvent) -> None:
    """Open (or join) a notification per channel the reporter chose and can be reached on."""
    report = db.session.get(Report, event.report_id)
    if report is None:
        return
    batch = timedelta(seconds=current_app.config["NOTIFY_BATCH_SECONDS"])
    for channel in _chosen_channels(report):
        _open_or_join(report.id, channel, event, event.at + batch)


def _open_or_join(report_id: int, channel: str, event: CaseEvent, due_at: datetime) -> None:
    """One statement (an upsert on the open notification's unique index), so that two events of one
    report dispatched at once by two workers still make one notification."""
    dialect: Any = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .values(
            report_id=report_id,
            channel=channel,
            state=NotificationState.PENDING.value,
            first_event_id=event.id,
            last_event_id=event.id,
            event_count=1,
            created_at=utcnow(),
            due_at=due_at,
            attempts=0,
        )
        .on_conflict_do_update(
            index_elements=["report_id", "channel"],
            index_where=text(OPEN_STATES_SQL),
            set_={"event_count": Notification.event_count + 1, "last_event_id": event.id},
        )
        .returning(Notification.id, Notification.event_count)
    )
    notification_id, count = db.session.execute(statement).one()
    if count == 1:  # opened now: its delivery waits for the rest of the burst
        enqueue("notification", notification_id, not_before=due_at)


def _claim(notification_id: int, now: datetime) -> bool:
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Notification)
        .where(
            Notification.id == notification_id,
            or_(
                Notification.state == NotificationState.PENDING.value,
                and_(Notification.state == NotificationState.SENDING.value, Notification.claimed_until < now),
            ),
        )
        .values(
            state=NotificationState.SENDING.value,
            claimed_until=now + LEASE,
            attempts=Notification.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _recipient(report: Report, channel: str) -> str | None:
    if channel == NotificationChannel.EMAIL:
        return report.reporter_email if report.notify_email else None
    return report.reporter_phone if report.notify_sms else None


def deliver(notification_id: int) -> bool:
    """Send one notification; False when there was nothing to send (already sent, held by another
    worker, or failed for good). The outcome is written for the caller to commit."""
    now = utcnow()
    if not _claim(notification_id, now):
        db.session.rollback()
        return False
    # This service commits the claim itself, before anything leaves: a second delivery of the job,
    # or the reconciler's, must find it held and stand back. The outcome is the job's unit of work.
    commit()
    item = db.session.get(Notification, notification_id)
    report = db.session.get(Report, item.report_id) if item else None
    if item is None or report is None:
        return False
    recipient = _recipient(report, item.channel)
    transport = channel_for(item.channel, current_app.config)
    if recipient is None or transport is None:
        _finish(item, NotificationState.FAILED, "no recipient, or the channel is off")
        return False
    try:
        notice = compose(report.reference, report.language, current_app.config["PUBLIC_URL"])
        transport.send(recipient, notice, f"blagh-notification-{item.id}")
    except DeliveryFailed as failure:
        if failure.permanent:
            _finish(item, NotificationState.FAILED, failure.reason)
            log.warning("notification %s (%s) refused for good: %s", item.id, item.channel, failure.reason)
        else:
            _retry_later(item, failure.reason)
        return False
    except Exception as error:  # an answer nobody foresaw: kept and tried again, never lost
        log.exception("notification %s (%s): unexpected failure", item.id, item.channel)
        _retry_later(item, type(error).__name__)
        return False
    _finish(item, NotificationState.SENT, None)
    item.sent_at = utcnow()
    log.info("notification %s sent by %s (%s event(s))", item.id, item.channel, item.event_count)
    return True


def _retry_later(item: Notification, reason: str) -> None:
    """Back to pending, with a job that waits for the next try (the job's commit keeps both)."""
    pause = _pause(item.attempts)
    _finish(item, NotificationState.PENDING, reason)
    item.due_at = utcnow() + pause
    enqueue("notification", item.id, not_before=item.due_at)
    log.warning(
        "notification %s (%s) not sent (%s); next try in %s s",
        item.id,
        item.channel,
        reason,
        int(pause.total_seconds()),
    )


def _finish(item: Notification, state: NotificationState, reason: str | None) -> None:
    item.state = state.value
    item.claimed_until = None
    item.last_error = reason[:200] if reason else None


def _pause(attempts: int) -> timedelta:
    """NOTIFY_RETRY_SECONDS, doubled at each failure, at most LONGEST_PAUSE (the exponent is capped
    first: two to the power of the attempts of a week-long outage would not fit a timedelta)."""
    first = timedelta(seconds=current_app.config["NOTIFY_RETRY_SECONDS"])
    return min(first * 2 ** min(max(attempts - 1, 0), 20), LONGEST_PAUSE)


def notifications_waiting(cutoff: datetime) -> Select[int]:
    """Notifications overdue since before `cutoff`, or held by a worker whose lease ran out then
    (it died while sending): the reconciler queues their delivery again."""
    return (
        select(Notification.id)
        .where(
            or_(
                and_(Notification.state == NotificationState.PENDING.value, Notification.due_at < cutoff),
                and_(
                    Notification.state == NotificationState.SENDING.value, Notification.claimed_until < cutoff
                ),
            )
        )
        .order_by(Notification.due_at)
    )
