"""Triage's links for a whole year of demo reports, worked out in memory in filing order, as
intake.triage.linking would have made them one report at a time: identifier groups and their counts,
campaigns, probable duplicates."""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from intake.demo.identifiers import Suspect
from intake.privacy.blind import suspect_index
from intake.triage.lexicon import normalise
from intake.triage.linking import (
    DUPLICATE_CANDIDATES,
    DUPLICATE_COMPARED_CHARS,
    DUPLICATE_SIMILARITY,
    DUPLICATE_WINDOW,
)


@dataclass
class Group:
    """An identifier group (intake.triage.models.IdentifierGroup) before it is written."""

    kind: str
    blind_index: str
    normalised: str
    created: list[datetime] = field(default_factory=list)  # its reports' filing times, in order
    members: list[int] = field(default_factory=list)  # the reports' positions in the year
    campaign_at: datetime | None = None


class YearOfLinks:
    """Reports are given in filing order, each by its position in the year (`index`)."""

    def __init__(self, campaign_threshold: int, campaign_window: timedelta) -> None:
        self.threshold = campaign_threshold
        self.window = campaign_window
        self.groups: dict[tuple[str, str], Group] = {}
        self.duplicates: list[tuple[int, int]] = []  # (report, the earlier report it repeats)
        self._blind: dict[tuple[str, str], str] = {}
        self._filed: dict[int, datetime] = {}
        self._contacts: dict[str, list[int]] = {}  # a reporter's blind index -> their reports, in order
        self._compared: dict[int, str] = {}  # the normalised description of reports with a contact

    def link(
        self, index: int, created_at: datetime, suspects: tuple[Suspect, ...], triaged_at: datetime
    ) -> tuple[int, bool]:
        """As intake.triage.linking.link_report at `triaged_at`: the report joins the group of each of
        its identifiers; a group with CAMPAIGN_THRESHOLD reports within the window is a campaign."""
        since = triaged_at - self.window
        seen, in_campaign = 0, False
        for kind, normalised in sorted({(s.kind, s.normalised) for s in suspects}):
            blind = self._blind.get((kind, normalised))
            if blind is None:
                blind = self._blind[(kind, normalised)] = suspect_index(kind, normalised)
            group = self.groups.get((kind, blind))
            if group is None:
                group = self.groups[(kind, blind)] = Group(kind, blind, normalised)
            group.created.append(created_at)
            group.members.append(index)
            seen = max(seen, len(group.members) - 1)
            recent = len(group.created) - bisect.bisect_left(group.created, since)
            if recent >= self.threshold:
                in_campaign = True
                group.campaign_at = group.campaign_at or triaged_at
        return seen, in_campaign

    def duplicate_of(
        self, index: int, created_at: datetime, description: str, contacts: list[str]
    ) -> int | None:
        """As intake.triage.linking.probable_duplicate_of: an earlier report from the same contact
        within 24 hours whose description is near-identical."""
        if not contacts:  # anonymous: nothing says two reports come from the same person
            return None
        since = created_at - DUPLICATE_WINDOW
        found = {i for key in contacts for i in self._contacts.get(key, ()) if self._filed[i] >= since}
        candidates = sorted(found, reverse=True)[:DUPLICATE_CANDIDATES]  # the nearest earlier ones
        text = self._compared[index] = normalise(description)[:DUPLICATE_COMPARED_CHARS]
        self._filed[index] = created_at
        for key in contacts:
            self._contacts.setdefault(key, []).append(index)
        for candidate in candidates:
            matcher = difflib.SequenceMatcher(None, text, self._compared[candidate])
            if matcher.quick_ratio() >= DUPLICATE_SIMILARITY and matcher.ratio() >= DUPLICATE_SIMILARITY:
                self.duplicates.append((index, candidate))
                return candidate
        return None
