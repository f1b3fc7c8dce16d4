"""The officer's keyboard shortcuts, one table per page: the help panel lists them and the controls
announce them (`aria-keyshortcuts`); static/js/officer-desk.js makes them work. Without the script
every control is still a link, a button or a field."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Shortcut:
    keys: tuple[str | LazyString, ...]  # as printed on the keyboard (Enter in the reader's language)
    does: LazyString


QUEUE_SHORTCUTS = (
    Shortcut(("j",), _l("Next report in the list")),
    Shortcut(("k",), _l("Previous report in the list")),
    Shortcut(("o", _l("Enter")), _l("Open the selected report")),
    Shortcut(("/",), _l("Search by reference or identifier")),
    Shortcut(("?",), _l("Show or hide the keyboard shortcuts")),
)
CASE_SHORTCUTS = (
    Shortcut(("n",), _l("Next case in the queue")),
    Shortcut(("t",), _l("Take this report")),
    Shortcut(("s",), _l("Go to the change of status")),
    Shortcut(("?",), _l("Show or hide the keyboard shortcuts")),
)
