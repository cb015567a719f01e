"""PLACEHOLDER — replaced by the page's real implementation (issue 6)."""

from __future__ import annotations

from .widgets import Page


class SettingsPage(Page):
    key = "settings"

    def title(self) -> str:
        return self.tr("Settings")
