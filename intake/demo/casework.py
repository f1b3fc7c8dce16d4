"""The life of a demo case once triaged: who took it and when, what the officer asked and the citizen
answered, how it ended. Old cases have mostly ended, recent ones are still open, as in a unit that
keeps up with most of its work and lets a backlog of low-priority cases wait.

Every move is checked against the service's own workflow (intake.reports.workflow) and writes what
the status owner and the officer's actions write (intake.reports.status, intake.officer.cases): a
history step, a case event, the version, the assignee, the audit entry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from intake.clock import MOROCCO
from intake.demo import texts
from intake.reports.models import ActorKind, CaseEventKind, Priority, ReportStatus
from intake.reports.status import Actor
from intake.reports.workflow import MESSAGE_REQUIRED, REASON_REQUIRED, may_move

S = ReportStatus
# Mean hours before each step, by priority: a unit that answers the urgent at once, and lets the
# low-priority backlog wait weeks.
WAIT_FOR_OFFICER = {Priority.URGENT: 0.7, Priority.HIGH: 30, Priority.NORMAL: 290, Priority.LOW: 720}
WAIT_TO_START = {Priority.URGENT: 0.5, Priority.HIGH: 8, Priority.NORMAL: 40, Priority.LOW: 72}
WORK = {Priority.URGENT: 48, Priority.HIGH: 190, Priority.NORMAL: 330, Priority.LOW: 420}
CITIZEN_ANSWERS_WITHIN = 36  # hours, on average
STALLED_SHARE, STALLED_FACTOR = 0.15, 5  # cases that wait far longer than the rest
OUTCOMES = {S.RESOLVED: 57, S.REFERRED: 35, S.REJECTED: 8}


@dataclass(frozen=True)
class Member:
    """A member of the demo staff, as the case work needs them."""

    staff_id: int
    role: str
    language: str
    ip: str

    @property
    def actor(self) -> Actor:
        return Actor.staff(self.staff_id, self.role)


@dataclass(frozen=True)
class Team:
    officers: tuple[Member, ...]
    supervisors: tuple[Member, ...]


@dataclass(frozen=True)
class Step:
    """A history step (intake.reports.models.StatusChange)."""

    at: datetime
    source: str | None
    to: str
    actor: Actor
    note: str | None = None


@dataclass(frozen=True)
class Event:
    """A case event (intake.reports.models.CaseEvent), already dispatched."""

    at: datetime
    kind: CaseEventKind
    source: str | None
    to: str | None
    actor: Actor


@dataclass(frozen=True)
class Message:
    at: datetime
    author: str  # officer, citizen
    body: str


@dataclass(frozen=True)
class Note:
    at: datetime
    staff_id: int
    body: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    member: Member
    details: dict[str, Any]


@dataclass
class CaseLife:
    """A report's state as its case work leaves it, and everything that work wrote on the way."""

    filed_at: datetime
    status: str = S.RECEIVED.value
    version: int = 1
    assigned_to_id: int | None = None
    citizen_replied_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.steps.append(Step(self.filed_at, None, S.RECEIVED.value, Actor.citizen()))
        self.last_event_at = self.filed_at

    def move(
        self, at: datetime, to: str, actor: Actor, *, note: str | None = None, message: str | None = None
    ) -> None:
        """As intake.reports.status.move: the workflow's table decides, reasons and questions are
        required where it says so; a step, an event, the version."""
        if not may_move(self.status, to, actor.who):
            raise AssertionError(f"demo case work broke the workflow: {self.status} -> {to} by {actor.who}")
        if actor.kind is ActorKind.STAFF and to in REASON_REQUIRED and not note:
            raise AssertionError(f"demo case work: {to} needs a reason")
        if to in MESSAGE_REQUIRED.get(actor.kind.value, ()) and not message:
            raise AssertionError(f"demo case work: {to} needs a message")
        self.steps.append(Step(at, self.status, to, actor, note))
        self.events.append(Event(at, CaseEventKind.STATUS, self.status, to, actor))
        if message:
            author = "citizen" if actor.kind is ActorKind.CITIZEN else "officer"
            self.messages.append(Message(at, author, message))
        self.status, self.version, self.last_event_at = to, self.version + 1, at

    def officer_moves(
        self, at: datetime, to: str, member: Member, *, note: str | None = None, message: str | None = None
    ) -> None:
        """As intake.officer.cases.change_status: the officer takes an unassigned case by moving it,
        and the citizen's answer stops standing out."""
        source = self.status
        self.move(at, to, member.actor, note=note, message=message)
        self.citizen_replied_at = None
        if self.assigned_to_id is None:
            self.assigned_to_id = member.staff_id
        self.audit.append(AuditEntry(at, "status", member, {"from_status": source, "to_status": to}))

    def assign(self, at: datetime, member: Member, assignee: Member) -> None:
        """As intake.officer.cases.assign: a triaged case becomes `assigned`, any other changes hands."""
        if self.status == S.TRIAGED.value:
            self.move(at, S.ASSIGNED.value, member.actor)
        else:
            self.events.append(Event(at, CaseEventKind.ASSIGNMENT, self.status, self.status, member.actor))
            self.version, self.last_event_at = self.version + 1, at
        self.assigned_to_id = assignee.staff_id
        self.audit.append(AuditEntry(at, "assign", member, {"assignee": assignee.staff_id}))

    def send_news(self, at: datetime, member: Member, body: str) -> None:
        """As intake.officer.cases.send_message: a message and its event; the status stays."""
        self.messages.append(Message(at, "officer", body))
        self.events.append(Event(at, CaseEventKind.MESSAGE, self.status, self.status, member.actor))
        self.last_event_at = at
        self.audit.append(AuditEntry(at, "message", member, {}))

    def add_note(self, at: datetime, member: Member, body: str) -> None:
        self.notes.append(Note(at, member.staff_id, body))
        self.audit.append(AuditEntry(at, "note", member, {}))


@dataclass(frozen=True)
class CaseFacts:
    """What the case work depends on: the triage's priority, the category, how the citizen writes."""

    triaged_at: datetime
    priority: Priority
    category: str
    language: str  # the form's: officers answer in it
    variety: str
    city: tuple[str, str, str]
    duplicate_of: str | None = None  # the reference of the report this one repeats


class CaseWorker:
    """Plays the case work of each report up to `now`, with one random source for the whole seed."""

    def __init__(self, rng: random.Random, team: Team, now: datetime) -> None:
        self.rng = rng
        self.team = team
        self.now = now

    def _after(self, at: datetime, mean_hours: float, slow: float, urgent: bool) -> datetime:
        later = at + timedelta(hours=self.rng.expovariate(1 / (mean_hours * slow)) + 0.05)
        return later if urgent else self._office_hours(later)

    def _office_hours(self, at: datetime) -> datetime:
        """Officers of the day shift act between 8:30 and 19:00, Monday to Saturday (Morocco's time)."""
        local = at.astimezone(MOROCCO)
        opening = datetime.combine(local.date(), time(8, 30), MOROCCO)
        if local.time() >= time(19):
            opening += timedelta(days=1)
        elif local.time() >= time(8, 30):
            opening = local
        if opening.weekday() == 6:
            opening = datetime.combine(opening.date() + timedelta(days=1), time(8, 30), MOROCCO)
        if opening != local:
            opening += timedelta(minutes=self.rng.uniform(0, 150))
        return opening

    def _text(self, table: dict[str, tuple[str, ...]], key: str, **slots: str) -> str:
        text = self.rng.choice(table[key]).format(**slots)
        return texts.french_elision(text) if key == "fr" else text

    def _officer(self) -> Member:
        if self.rng.random() < 0.08:
            return self.rng.choice(self.team.supervisors)
        return self.rng.choices(self.team.officers, weights=range(len(self.team.officers) + 1, 1, -1))[0]

    def work(self, life: CaseLife, facts: CaseFacts) -> None:
        """Triage's move, then the officers' and the citizen's, as long as each comes before `now`."""
        rng, now = self.rng, self.now
        life.move(facts.triaged_at, S.TRIAGED.value, Actor.triage())
        urgent = facts.priority is Priority.URGENT
        slow = STALLED_FACTOR if rng.random() < STALLED_SHARE else 1.0
        at = self._after(facts.triaged_at, WAIT_FOR_OFFICER[facts.priority], slow, urgent)
        if facts.duplicate_of is not None:  # a report sent twice: closed at once under the first
            at = self._after(facts.triaged_at, 6, 1, urgent)
            if at < now:
                note = self._text(texts.REASONS["duplicate"], facts.language, reference=facts.duplicate_of)
                life.officer_moves(at, S.REJECTED.value, self._officer(), note=note)
            return
        if at >= now:
            return  # still waiting for an officer
        officer = self._officer()
        if rng.random() < 0.04:  # not for this unit
            life.officer_moves(
                at, S.REJECTED.value, officer, note=self._text(texts.REASONS["rejected"], facts.language)
            )
            return
        if rng.random() < 0.3:
            life.assign(at, rng.choice(self.team.supervisors), officer)
        else:
            life.assign(at, officer, officer)
        at = self._after(at, WAIT_TO_START[facts.priority], slow, urgent)
        if at >= now:
            return
        life.officer_moves(at, S.IN_PROGRESS.value, officer)
        noted = at + timedelta(minutes=rng.uniform(5, 90))
        if rng.random() < 0.3 and noted < now:
            life.add_note(noted, officer, self._text(texts.NOTES, officer.language))
            at = noted
        self._work_on(life, facts, officer, at, slow, urgent)

    def _work_on(
        self, life: CaseLife, facts: CaseFacts, officer: Member, at: datetime, slow: float, urgent: bool
    ) -> None:
        rng, now = self.rng, self.now
        asked = False
        while True:
            at = self._after(at, WORK[facts.priority] / (2 if asked else 1), slow, urgent)
            if at >= now:
                return
            if rng.random() < 0.05 and not asked:  # a supervisor moves the case to a colleague
                colleague = rng.choice([m for m in self.team.officers if m != officer] or [officer])
                life.assign(at, rng.choice(self.team.supervisors), colleague)
                officer = colleague
                continue
            if rng.random() < 0.12:
                life.send_news(at, officer, self._text(texts.NEWS, facts.language))
                continue
            if not asked and rng.random() < 0.3:
                asked = True
                question = self._text(texts.QUESTIONS[texts.question_group(facts.category)], facts.language)
                life.officer_moves(at, S.NEEDS_INFO.value, officer, message=question)
                if rng.random() < 0.8:
                    at = at + timedelta(hours=rng.expovariate(1 / CITIZEN_ANSWERS_WITHIN) + 0.2)
                    if at >= now:
                        return
                    life.move(at, S.IN_PROGRESS.value, Actor.citizen(), message=self._answer(facts, at))
                    life.citizen_replied_at = at
                    continue
                at = self._after(at, 24 * 30, 1, False)  # no answer: closed a month later
                if at < now:
                    note = self._text(texts.REASONS["no_answer"], facts.language)
                    life.officer_moves(at, S.REJECTED.value, officer, note=note)
                return
            self._close(life, facts, officer, at)
            return

    def _close(self, life: CaseLife, facts: CaseFacts, officer: Member, at: datetime) -> None:
        outcome = self.rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0]
        city = facts.city[0] if facts.language == "fr" else facts.city[1]
        note = None
        if outcome is S.REFERRED and facts.city in texts.CITIES["abroad"]:
            note = self._text(texts.REASONS["referred_abroad"], facts.language)
        elif outcome is S.REFERRED:
            note = self._text(texts.REASONS["referred"], facts.language, city=city)
        elif outcome is S.REJECTED:
            note = self._text(texts.REASONS["rejected"], facts.language)
        elif self.rng.random() < 0.6:
            note = self._text(texts.REASONS["resolved"], facts.language)
        life.officer_moves(at, outcome.value, officer, note=note)

    def _answer(self, facts: CaseFacts, at: datetime) -> str:
        local = at.astimezone(MOROCCO) - timedelta(days=self.rng.randrange(1, 5))
        return self._text(
            texts.ANSWERS[texts.question_group(facts.category)],
            facts.variety,
            weekday=texts.WEEKDAYS[facts.variety][local.weekday()],
            hour=str(local.hour),
            claim=f"{self.rng.randrange(10**5, 10**6)}",
        )
