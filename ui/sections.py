"""PLACEHOLDER — replaced by the page's real implementation (issue 6)."""

from __future__ import annotations

from .widgets import Page


class SectionsPage(Page):
    key = "sections"

    def title(self) -> str:
        return self.tr("Projects and sections")
