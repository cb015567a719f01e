"""The words of a remote opening, shared by the opening hall and the opening console: translated
names of phases, decryption states, roles and signing decisions, and the event log's lines.

    text = OpeningText(parent)
    text.phase("window")                  # "Decryption window" → 解密中 once translated
    text.describe_event(event)            # ["[17] 2026-… Bidder 2 decryption: Opened (attempt 1)"]
    text.describe_event(event, details=False)   # without the list's and results' per-bidder lines

The same things the CLI prints (``sealbid.cli_opening.describe_event``), through ``tr()`` so
that the pages speak the UI's language. The platform's own bilingual messages (an
``ErrorDetail``, or its dict in an event) are picked by ``detail_text``; errors raised here go
through ``ui.errors.describe_error``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject

from client import wire

from .i18n import current_language
from .widgets import fmt_time

__all__ = ["OpeningText", "detail_text"]


def detail_text(detail: wire.ErrorDetail | dict[str, Any] | None) -> str:
    """The platform's bilingual message (``ErrorDetail`` or its dict in an event), in the UI
    language."""
    if detail is None:
        return ""
    zh = current_language().lower().startswith("zh")
    if isinstance(detail, dict):
        return str(detail.get("zh" if zh else "en") or detail.get("code") or "")
    return detail.zh if zh else detail.en


def _when(value: Any) -> str:
    """A time from an event (a datetime or its ISO text) in Beijing time; "—" when absent."""
    if isinstance(value, datetime):
        return fmt_time(value)
    if isinstance(value, str):
        try:
            return fmt_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return "—"


class OpeningText(QObject):
    """Translated names and event lines; a QObject so that ``tr()`` has one context for
    lupdate."""

    def phase(self, phase: str | None) -> str:
        names = {
            "waiting": self.tr("Waiting for the opening"),
            "signin": self.tr("Sign-in"),
            "listed": self.tr("Bidder list published"),
            "window": self.tr("Decryption window"),
            "closed": self.tr("Decryption closed"),
            "announced": self.tr("Results announced"),
            "confirming": self.tr("Confirming the record"),
            "finished": self.tr("Opening finished"),
        }
        return names.get(phase or "", phase or "—")

    def decryption(self, status: str | None) -> str:
        names = {
            "pending": self.tr("Pending"),
            "opened": self.tr("Opened"),
            "failed": self.tr("Failed"),
            "revoked": self.tr("Revoked (撤销)"),
            "withdrawn": self.tr("Withdrawn (撤回)"),
            "not_opened": self.tr("Not opened (failed tender)"),
        }
        return names.get(status or "", status or "—")

    def role(self, role: str | None) -> str:
        names = {
            "bidder": self.tr("Bidder"),
            "host": self.tr("Host"),
            "recorder": self.tr("Recorder"),
            "supervisor": self.tr("Supervisor"),
        }
        return names.get(role or "", role or "—")

    def decision(self, decision: str | None) -> str:
        names = {"confirm": self.tr("confirmed"), "decline": self.tr("declined")}
        return names.get(decision or "", decision or "—")

    def describe_event(self, e: wire.OpeningEvent, *, details: bool = True) -> list[str]:
        """An event as lines a person reads (what ``sealbid opening watch`` prints). Without
        ``details`` the published list and the results leave out their per-bidder lines (for a
        page that shows them in a table)."""
        d = e.data
        lines = [f"[{e.seq}] {_when(e.at)} {self._headline(e)}"]
        if e.kind == "list" and details:
            for b in d.get("bidders") or []:
                signed = _when(b.get("signed_in_at")) if b.get("signed_in_at") else "—"
                lines.append(
                    self.tr("    {0}. {1} ({2})  signed in: {3}").format(
                        b.get("number"), b.get("name"), b.get("org_code") or "—", signed
                    )
                )
        elif e.kind == "decryption" and isinstance(d.get("error"), dict):
            lines.append(self.tr("    Reason: {0}").format(detail_text(d["error"])))
        elif e.kind == "results":
            if d.get("reason"):
                lines.append(self.tr("    Reason: {0}").format(d["reason"]))
            if details:
                lines.extend(self._result_lines(d.get("bidders") or []))
        return lines

    def _headline(self, e: wire.OpeningEvent) -> str:
        d = e.data
        if e.kind == "phase":
            line = self.tr("Phase: {0}").format(self.phase(str(d.get("phase"))))
            if d.get("by"):
                line += self.tr(" (by {0})").format(d["by"])
            return line
        if e.kind == "signin":
            return self.tr("Bidder {0} {1} signed in").format(d.get("number"), d.get("name", ""))
        if e.kind == "list":
            return self.tr("Bidder list published: {0} bids").format(d.get("bid_count"))
        if e.kind == "window":
            if d.get("extended_minutes"):
                return self.tr(
                    "Decryption window extended by {0} minutes, until {1}; reason: {2}"
                ).format(d["extended_minutes"], _when(d.get("closes_at")), d.get("reason"))
            return self.tr("Decryption window open: {0} minutes, until {1}").format(
                d.get("minutes"), _when(d.get("closes_at"))
            )
        if e.kind == "decryption":
            return self.tr("Bidder {0} decryption: {1} (attempt {2})").format(
                d.get("number"), self.decryption(str(d.get("status"))), d.get("attempts")
            )
        if e.kind == "results":
            return self.tr("Results: {0} valid bids").format(d.get("valid_bids"))
        if e.kind == "objection":
            return self.tr("Objection {0} by {1}: {2}").format(
                d.get("id"), d.get("raised_by"), d.get("text")
            )
        if e.kind == "answer":
            return self.tr("Objection {0} answered by {1}: {2}").format(
                d.get("id"), d.get("answered_by"), d.get("answer")
            )
        if e.kind == "record":
            return self.tr("Opening record revision {0}: SHA-256 {1}").format(
                d.get("revision"), d.get("record_sha256")
            )
        if e.kind == "signature":
            line = self.tr("{0} {1} signed the record: {2}").format(
                self.role(str(d.get("role"))),
                d.get("name"),
                self.decision(str(d.get("decision"))),
            )
            if d.get("reason"):
                line += self.tr("; reason: {0}").format(d["reason"])
            return line
        if e.kind == "finished":
            return self.tr("The opening finished; the record is closed")
        return f"{e.kind}: {json.dumps(d, ensure_ascii=False, sort_keys=True)}"

    def _result_lines(self, bidders: list[dict[str, Any]]) -> list[str]:
        lines: list[str] = []
        for b in bidders:
            lines.append(
                "    {}. {} ({})  {}".format(
                    b.get("number"),
                    b.get("name"),
                    b.get("org_code") or "—",
                    self.decryption(str(b.get("decryption"))),
                )
            )
            summary = b.get("summary")
            if isinstance(summary, dict):
                lines.extend(f"       {k}: {v}" for k, v in summary.items())
            elif b.get("cause"):
                lines.append(self.tr("       Cause: {0}").format(b["cause"]))
        return lines
