"""The bidder's opening hall (开标大厅). Placeholder: being written."""

from __future__ import annotations

from .widgets import Page

__all__ = ["HallPage"]


class HallPage(Page):
    key = "hall"

    def title(self) -> str:
        return self.tr("Opening hall")
