"""Triage rules are data: each names a condition and the priority it calls for. One small engine
(`decide`) reads them; a rule is added, changed or removed here without touching the engine.

The decision is the highest priority any rule calls for (normal when none fires), raised one step by
a rule that only asks for a review (a word that is often innocent alone), and the reasons are the
names of every rule that fired, so officers and auditors see why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.reports.models import Priority
from intake.taxonomy import CATEGORIES
from intake.triage.lexicon import find_mentions

# Bump when RULES change, so that a decision can be traced to the rules that made it.
RULES_VERSION = "2026-11-30.2"
PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


@dataclass(frozen=True)
class ReportFacts:
    """What the rules may look at; built by the triage service from the report and its links."""

    category: str
    description: str
    incident_date: date
    filed_on: date
    loss_amount: Decimal | None = None
    loss_currency: str | None = None
    seen_in_other_reports: int = 0
    in_campaign: bool = False


class Condition(Protocol):
    def matches(self, facts: ReportFacts) -> bool: ...


@dataclass(frozen=True)
class CategoryIn:
    codes: frozenset[str]

    def matches(self, facts: ReportFacts) -> bool:
        return facts.category in self.codes


@dataclass(frozen=True)
class Mentions:
    """The description contains a word of the lexicon (see intake.triage.lexicon)."""

    lexicon: str

    def matches(self, facts: ReportFacts) -> bool:
        return bool(find_mentions(facts.description, self.lexicon))


@dataclass(frozen=True)
class LossAtLeast:
    """A loss at least this large, per currency; a currency not listed never matches."""

    amounts: Mapping[str, Decimal]

    def matches(self, facts: ReportFacts) -> bool:
        threshold = self.amounts.get(facts.loss_currency or "")
        return threshold is not None and facts.loss_amount is not None and facts.loss_amount >= threshold


@dataclass(frozen=True)
class MoneyLostWithinDays:
    """Money lost, and the incident is recent enough for the bank to stop or recall the transfer."""

    days: int

    def matches(self, facts: ReportFacts) -> bool:
        lost = facts.loss_amount is not None and facts.loss_amount > 0
        return lost and (facts.filed_on - facts.incident_date).days <= self.days


@dataclass(frozen=True)
class SeenInOtherReports:
    at_least: int

    def matches(self, facts: ReportFacts) -> bool:
        return facts.seen_in_other_reports >= self.at_least


@dataclass(frozen=True)
class InCampaign:
    def matches(self, facts: ReportFacts) -> bool:
        return facts.in_campaign


@dataclass(frozen=True)
class IncidentOlderThanDays:
    days: int

    def matches(self, facts: ReportFacts) -> bool:
        return (facts.filed_on - facts.incident_date).days > self.days


@dataclass(frozen=True)
class NoMoneyLost:
    def matches(self, facts: ReportFacts) -> bool:
        return not facts.loss_amount


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def matches(self, facts: ReportFacts) -> bool:
        return all(condition.matches(facts) for condition in self.conditions)


@dataclass(frozen=True)
class TriageRule:
    """`priority` is what the rule calls for; a rule that `raises` instead moves the decision one
    step up from what the other rules called for (low to normal, normal to high), never to urgent."""

    name: str
    priority: Priority
    when: Condition
    label: LazyString = field(compare=False)
    raises: bool = False


URGENT_CATEGORIES = frozenset(c.code for c in CATEGORIES if c.urgent)
LARGE_LOSS = {"MAD": Decimal(50_000), "EUR": Decimal(5_000), "USD": Decimal(5_000), "GBP": Decimal(4_000)}

RULES: tuple[TriageRule, ...] = (
    TriageRule(
        "urgent_category",
        Priority.URGENT,
        CategoryIn(URGENT_CATEGORIES),
        _l("The category is always urgent (sexual blackmail, children, threats, terrorism)."),
    ),
    TriageRule(
        "threat_or_self_harm_words",
        Priority.URGENT,
        Mentions("threats_and_self_harm"),
        _l("The description mentions a threat to life or a risk of suicide."),
    ),
    TriageRule(
        "threat_words_to_review",
        Priority.HIGH,
        Mentions("threat_words_to_review"),
        _l("The description uses a word of death or killing, often a figure of speech: read it to judge."),
        raises=True,
    ),
    TriageRule(
        "ongoing_attack",
        Priority.URGENT,
        AllOf((CategoryIn(frozenset({"ransomware_malware"})), Mentions("ongoing_attack"))),
        _l("A ransomware or intrusion attack is still under way."),
    ),
    TriageRule(
        "recent_money_loss",
        Priority.HIGH,
        MoneyLostWithinDays(3),
        _l("Money was lost in the last three days: the bank may still stop the transfer."),
    ),
    TriageRule("large_loss", Priority.HIGH, LossAtLeast(LARGE_LOSS), _l("The loss is large.")),
    TriageRule(
        "identifier_seen_before",
        Priority.HIGH,
        SeenInOtherReports(1),
        _l("An identifier of the suspect appears in other reports."),
    ),
    TriageRule(
        "campaign",
        Priority.HIGH,
        InCampaign(),
        _l("An identifier of the suspect belongs to a campaign (many reports in a short time)."),
    ),
    TriageRule(
        "old_incident_without_loss",
        Priority.LOW,
        AllOf((IncidentOlderThanDays(365), NoMoneyLost())),
        _l("The incident is more than a year old and no money was lost."),
    ),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}


@dataclass(frozen=True)
class Decision:
    priority: Priority
    reasons: tuple[str, ...]


def decide(facts: ReportFacts, rules: tuple[TriageRule, ...] = RULES) -> Decision:
    fired = [rule for rule in rules if rule.when.matches(facts)]
    if any(rule.name == "threat_or_self_harm_words" for rule in fired):  # the review is contained in it
        fired = [rule for rule in fired if rule.name != "threat_words_to_review"]
    fired.sort(key=lambda rule: PRIORITY_ORDER.index(rule.priority), reverse=True)
    called_for = [PRIORITY_ORDER.index(rule.priority) for rule in fired if not rule.raises]
    level = max(called_for, default=PRIORITY_ORDER.index(Priority.NORMAL))
    if any(rule.raises for rule in fired) and level < PRIORITY_ORDER.index(Priority.HIGH):
        level += 1  # low to normal, normal to high; never to urgent

    return Decision(PRIORITY_ORDER[level], tuple(rule.name for rule in fired))
