"""Officer pages: thin views over intake.officer services."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from babel.dates import format_timedelta
from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.extensions import db
from intake.i18n import number_locale
from intake.officer import privacy
from intake.officer.audit import record, trail
from intake.officer.bidi import isolate_ltr, ltr
from intake.officer.cases import (
    CaseError,
    Officer,
    add_note,
    assign,
    change_status,
    find_report,
    notes,
    open_case,
    send_message,
)
from intake.officer.forms import CaseActionForm
from intake.officer.labels import (
    ERASURE_CAUSES,
    REFUSAL_NAMES,
    action_name,
    actor_name,
    check_name,
    media_type_name,
    priority_name,
    rejection_text,
    status_name,
)
from intake.officer.need_to_know import may_act, readable, require_act, require_read
from intake.officer.queue import (
    DEFAULT_ORDER,
    QUEUE_ORDERS,
    QueueFilters,
    QueueOrder,
    next_case,
    queue_order,
    queue_page,
)
from intake.officer.shortcuts import CASE_SHORTCUTS, QUEUE_SHORTCUTS
from intake.privacy import holds, requests, retention
from intake.reports.evidence import evidence_store
from intake.reports.forms import SUSPECT_KIND_LABELS
from intake.reports.models import OPEN_STATUSES, ActorKind, EvidenceFile, Priority, Report, ReportStatus
from intake.reports.status import StatusConflict
from intake.reports.workflow import REASON_REQUIRED, allowed_next
from intake.staff.access import ALL_STAFF, roles
from intake.staff.models import is_supervisor
from intake.staff.services import active_staff, staff_names
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, REGION_BY_CODE, REGIONS
from intake.text import clean_text
from intake.triage.summary import evidence_download_name, triage_summary

bp = Blueprint("officer", __name__, url_prefix="/officer")
ASSIGNED_CHOICES = ("mine_or_unassigned", "mine", "unassigned", "all")
# The queue's arguments (its filters, its order, its page): nothing else is carried into its links.
FILTERS = ("q", "status", "priority", "category", "region", "assigned", "from", "to", "campaign", "erasure")
QUEUE_ARGUMENTS = frozenset((*FILTERS, "sort", "after"))


def _code(name: str, known: Collection[str]) -> str | None:
    """A filter that names a code: one of the known codes, or none (anything else is ignored, so a
    hand-edited URL never reaches the database with text it would refuse)."""
    value = request.args.get(name)
    return value if value in known else None


def _filters() -> QueueFilters:
    args = request.args
    assigned = args.get("assigned", "mine_or_unassigned")
    return QueueFilters(
        status=_code("status", {s.value for s in ReportStatus}),
        priority=_code("priority", {p.value for p in Priority}),
        category=_code("category", CATEGORY_BY_CODE),
        region=_code("region", REGION_BY_CODE),
        assigned=assigned if assigned in ASSIGNED_CHOICES or _is_id(assigned) else "mine_or_unassigned",
        search=clean_text(args.get("q") or "")[:500] or None,
        filed_from=_date(args.get("from")),
        filed_to=_date(args.get("to")),
        group_id=int(args["campaign"]) if _is_id(args.get("campaign")) else None,
        erasure_requests=args.get("erasure") == "requested",
    )


def _is_id(text: str | None) -> bool:
    """A database id as typed in a URL: ASCII digits, and small enough for a BIGINT."""
    return bool(text) and re.fullmatch(r"[0-9]{1,15}", text or "") is not None


# Filter dates an officer can mean: the calendar's ends overflow once turned into instants.
_FIRST_DAY, _LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def _date(text: str | None) -> date | None:
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and _FIRST_DAY <= day <= _LAST_DAY else None


def _order() -> QueueOrder:
    """The queue's order from `?sort=`; an unknown one is the default."""
    return queue_order(request.args.get("sort"))


def _order_arguments(order: QueueOrder) -> dict[str, Any]:
    """What a link adds to carry the officer's order (nothing for the default)."""
    return {} if order is DEFAULT_ORDER else {"sort": order.name}


def _queue_url(**changes: str | None) -> str:
    """This queue's address with some arguments changed (None drops one)."""
    arguments: dict[str, Any] = {k: v for k, v in request.args.items() if k in QUEUE_ARGUMENTS} | changes
    return url_for(".queue", **{k: v for k, v in arguments.items() if v is not None})


@bp.get("/")
@roles(*ALL_STAFF)
def queue() -> str:
    filters, order = _filters(), _order()
    page = queue_page(
        filters,
        current_user.staff_id,
        request.args.get("after"),
        visible=readable(current_user.role, current_user.staff_id),
        order=order,
    )
    return render_template(
        "officer/queue.html",
        page=page,
        next_url=_queue_url(after=page.next_cursor) if page.next_cursor else None,
        sort_urls={name: _queue_url(sort=name, after=None) for name in QUEUE_ORDERS},
        order=order,
        orders=QUEUE_ORDERS.values(),
        order_arguments=_order_arguments(order),
        shortcuts=QUEUE_SHORTCUTS,
        staff_name=staff_names().get,
        region_by_code=REGION_BY_CODE,
        filters=filters,
        statuses=OPEN_STATUSES,
        priorities=list(Priority),
        categories=CATEGORIES,
        category_by_code=CATEGORY_BY_CODE,
        regions=REGIONS,
        status_name=status_name,
        priority_name=priority_name,
        assigned_choices=ASSIGNED_CHOICES,
        staff_members=active_staff() if is_supervisor(current_user.role) else [],
    )


def _officer() -> Officer:
    return Officer(current_user.staff_id, current_user.role, request.remote_addr)


def _render_case(report: Report, status: int = 200, error: str | None = None) -> tuple[str, int]:
    with_trail = is_supervisor(current_user.role)
    names = staff_names()
    visible = readable(current_user.role, current_user.staff_id)
    order = _order()
    body = render_template(
        "officer/case.html",
        report=report,
        next_reference=next_case(report, current_user.staff_id, visible, order),
        order_arguments=_order_arguments(order),
        shortcuts=CASE_SHORTCUTS,
        summary=triage_summary(report.id, visible),
        history=report.history,
        messages=report.messages,
        notes=notes(report.id),
        next_statuses=allowed_next(report.status, current_user.role),
        reason_required=REASON_REQUIRED,
        staff_members=active_staff() if with_trail else [],
        trail=trail(report.id) if with_trail else None,
        category=CATEGORY_BY_CODE.get(report.category),
        status_name=status_name,
        priority_name=priority_name,
        check_name=check_name,
        media_type_name=media_type_name,
        rejection_text=rejection_text,
        action_name=action_name,
        actor_name=lambda kind, staff_id=None: actor_name(kind, staff_id, names),
        staff_kind=ActorKind.STAFF.value,
        kind_labels=SUSPECT_KIND_LABELS,
        error=error,
        form=request.form if request.method == "POST" else {},
        supervisor=is_supervisor(current_user.role),
        works_on_it=may_act(current_user.role, current_user.staff_id, report.assigned_to_id, "note"),
        hold=holds.active_hold(report.id),
        erasure_request=requests.pending_request(report.id),
        kept_until=retention.kept_until(report, current_app.config),
        erasure_causes=ERASURE_CAUSES,
        refusal_names=REFUSAL_NAMES,
        staff_name=lambda staff_id: names.get(staff_id, "—"),
    )
    return body, status


def _report_or_404(reference: str) -> Report:
    report = find_report(reference)
    if report is None:
        abort(404)
    return report


@bp.get("/reports/<reference>")
@roles(*ALL_STAFF)
def case(reference: str) -> tuple[str, int]:
    report = _report_or_404(reference)
    require_read(report, current_user.role, current_user.staff_id, request.remote_addr)
    open_case(report, _officer())
    return _render_case(report)


@bp.post("/reports/<reference>/<action>")
@roles(*ALL_STAFF)
def case_action(reference: str, action: str) -> ResponseReturnValue:
    """Every change to a case: the form's `version` is the one the officer saw."""
    report = _report_or_404(reference)
    require_act(report, current_user.role, current_user.staff_id, request.remote_addr, action)
    form = CaseActionForm()
    if not form.validate_on_submit():
        return _render_case(
            report, 400, str(_("This page expired. Check your answers and send the form again."))
        )
    officer = _officer()
    seen = form.version.data or 0  # the version on the officer's page
    try:
        if action == "claim":
            assign(report, seen, officer)
        elif action == "assign" and is_supervisor(current_user.role):
            assign(report, seen, officer, form.assignee.data)
        elif action == "status":
            change_status(report, seen, officer, form.status.data or "", form.reason.data, form.message.data)
        elif action == "note":
            add_note(report, officer, form.body.data or "")
        elif action == "message":
            send_message(report, officer, form.body.data or "")
        elif action == "hold":
            privacy.place_hold(report, officer, form.reason.data)
        elif action == "release":
            privacy.lift_hold(report, officer)
        elif action == "erase":
            privacy.erase_on_request(report, officer, bool(form.confirm.data))
        elif action == "refuse-erasure":
            privacy.refuse_erasure(report, officer, form.refusal.data, form.body.data)
        else:
            abort(404)
    except StatusConflict:
        db.session.rollback()
        db.session.expire_all()
        report = _report_or_404(reference)
        message = _(
            "Someone else changed this report while you were reading it. Check the new state below; what you typed is kept."
        )
        return _render_case(report, 409, str(message))
    except CaseError as error:
        db.session.rollback()
        return _render_case(report, 422, str(error.message))
    return redirect(url_for(".case", reference=reference, **_order_arguments(_order())), code=303)


def _evidence_or_404(evidence_id: int, action: str) -> EvidenceFile:
    """The file, if its case is one the viewer may read (need-to-know, as for the case page)."""
    item = db.session.get(EvidenceFile, evidence_id)
    if item is None:
        abort(404)
    require_read(item.report, current_user.role, current_user.staff_id, request.remote_addr, action)
    return item


@bp.get("/evidence/<int:evidence_id>")
@roles(*ALL_STAFF)
def evidence_download(evidence_id: int) -> Response:
    """The original, always as a download: never rendered in the officer's browser."""
    item = _evidence_or_404(evidence_id, "download")
    record("download", current_user.staff_id, item.report_id, request.remote_addr, evidence_id=item.id)
    response = send_file(
        evidence_store().open(item.stored_name, item.seal_id),  # decrypted as it streams out
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=evidence_download_name(item),
    )
    response.content_length = item.size
    return response


@bp.get("/evidence/<int:evidence_id>/preview")
@roles(*ALL_STAFF)
def evidence_preview(evidence_id: int) -> Response:
    """The re-encoded image made by the evidence check (no metadata); nothing else is shown inline."""
    item = _evidence_or_404(evidence_id, "preview")
    if item.preview_name is None:
        abort(404)
    record("preview", current_user.staff_id, item.report_id, request.remote_addr, evidence_id=item.id)
    return send_file(evidence_store().open(item.preview_name, item.seal_id), mimetype=item.media_type)


bp.add_app_template_filter(isolate_ltr, "isolate_ltr")
bp.add_app_template_filter(ltr, "ltr")


@bp.app_template_filter("age")
def age(value: timedelta) -> str:
    """`3 heures`, `٢ أيام`… in the officer's language."""
    return format_timedelta(value, threshold=1, locale=number_locale())


@bp.app_template_filter("defang")
def defang(value: str) -> str:
    """`hxxps://evil[.]example/x`: readable, never clickable, never fetched by a preview."""
    return value.replace("http", "hxxp").replace(".", "[.]").replace("@", "[@]")


_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+")


@bp.app_template_filter("defang_links")
def defang_links(text: str) -> str:
    """The same for every link inside a citizen's free text (the rest is left as written)."""
    return _LINK.sub(lambda match: defang(match.group(0)), text)
