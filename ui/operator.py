"""The opening host's console (开标主持). Placeholder: being written."""

from __future__ import annotations

from .widgets import Page

__all__ = ["OperatorPage"]


class OperatorPage(Page):
    key = "operator"

    def title(self) -> str:
        return self.tr("Opening console")
