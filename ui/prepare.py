"""PLACEHOLDER — replaced by the page's real implementation (issue 6)."""

from __future__ import annotations

from .widgets import Page


class PreparePage(Page):
    key = "prepare"

    def title(self) -> str:
        return self.tr("Prepare and seal")
