"""What the privacy services refuse, and why (the officer's page says it in their language)."""

from __future__ import annotations


class PrivacyRefused(ValueError):
    """A hold, an erasure or a decision on a request that cannot be done as asked; `code` names why:
    `held`, `already_held`, `not_held`, `erased`, `open`, `no_request`, `refusal`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
