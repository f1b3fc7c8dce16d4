"""Officer pages: thin views over intake.officer services."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from intake.officer.labels import priority_name, status_name
from intake.officer.queue import QueueFilters, queue_page
from intake.reports.models import OPEN_STATUSES, Priority
from intake.staff.access import ALL_STAFF, roles
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, REGIONS

bp = Blueprint("officer", __name__, url_prefix="/officer")
ASSIGNED_CHOICES = ("mine_or_unassigned", "mine", "unassigned", "all")


def _filters() -> QueueFilters:
    args = request.args
    assigned = args.get("assigned", "mine_or_unassigned")
    return QueueFilters(
        status=args.get("status") or None,
        priority=args.get("priority") or None,
        category=args.get("category") or None,
        region=args.get("region") or None,
        assigned=assigned if assigned in ASSIGNED_CHOICES else "mine_or_unassigned",
        search=(args.get("q") or "").strip()[:500] or None,
    )


@bp.get("/")
@roles(*ALL_STAFF)
def queue() -> str:
    filters = _filters()
    page = queue_page(filters, current_user.staff_id, request.args.get("after"))
    next_url = None
    if page.next_cursor:
        arguments: dict[str, object] = {**request.args.to_dict(), "after": page.next_cursor}
        next_url = url_for(".queue", **arguments)  # type: ignore[arg-type]
    return render_template(
        "officer/queue.html",
        page=page,
        next_url=next_url,
        filters=filters,
        statuses=OPEN_STATUSES,
        priorities=list(Priority),
        categories=CATEGORIES,
        category_by_code=CATEGORY_BY_CODE,
        regions=REGIONS,
        status_name=status_name,
        priority_name=priority_name,
        assigned_choices=ASSIGNED_CHOICES,
    )
