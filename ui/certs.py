"""PLACEHOLDER — replaced by the page's real implementation (issue 6)."""

from __future__ import annotations

from .widgets import Page


class CertificatesPage(Page):
    key = "certs"

    def title(self) -> str:
        return self.tr("Certificates")
