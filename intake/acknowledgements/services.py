"""Issuing an acknowledgement to the holder of a report's secret code, and checking the code printed
on one: plain functions, no request objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import force_locale

from intake.acknowledgements.codes import acknowledgement_key, clean_code, listed_files, verification_code
from intake.acknowledgements.document import Addresses, render_acknowledgement
from intake.acknowledgements.facts import FilingFacts, facts_by_receipt, facts_by_reference
from intake.i18n import institution_name
from intake.privacy.sealing import keyring
from intake.types import utcnow


@dataclass(frozen=True)
class IssuedAcknowledgement:
    reference: str
    language: str
    pdf: bytes


def issue_acknowledgement(
    reference: str, receipt: str, addresses_for: Callable[[str], Addresses]
) -> IssuedAcknowledgement | None:
    """The PDF, in the report's language, for the holder of its secret code; None for a wrong code,
    an unknown reference, or a report whose personal data were erased (what the paper would state is
    gone). Generated from the database each time: nothing about it is stored."""
    facts = facts_by_receipt(reference, receipt)
    if facts is None or facts.erased:
        return None
    code = verification_code(facts, acknowledgement_key(keyring()))
    with force_locale(facts.language):
        pdf = render_acknowledgement(
            facts,
            code=code,
            institution=institution_name(),
            addresses=addresses_for(facts.language),
            issued_at=utcnow(),
        )
    return IssuedAcknowledgement(facts.reference, facts.language, pdf)


@dataclass(frozen=True)
class VerifiedAcknowledgement:
    """What a bank may compare with the paper it was given: the filing's facts (their status is
    today's; the one printed is that of the day of printing) and how many files the paper listed."""

    facts: FilingFacts
    files_listed: int


# What an unknown reference is checked against, so that it costs what a wrong code costs.
_NO_FACTS = FilingFacts(
    reference="",
    filed_at=datetime(2000, 1, 1, tzinfo=UTC),
    category="",
    region=None,
    loss_amount=None,
    loss_currency=None,
    status="",
    language="",
    evidence=(),
    erased=True,
)


def verify_acknowledgement(reference: str, code: str) -> VerifiedAcknowledgement | None:
    """The facts an acknowledgement with this code states, or None: a forged or mistyped code, an
    unknown reference and an erased report look alike, and take the same work (the same queries and
    the code computed), so that neither the answer nor its time tells a reference exists."""
    facts = facts_by_reference(reference)
    count = listed_files(facts or _NO_FACTS, clean_code(code), acknowledgement_key(keyring()))
    if facts is None or facts.erased or count is None:
        return None
    return VerifiedAcknowledgement(facts, count)
