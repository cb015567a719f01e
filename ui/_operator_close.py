"""The host's decision on the bids that did not open, when the decryption window closes
(电子招标投标办法 Art. 31: the bidder's fault → revoked 撤销; another party's → withdrawn 撤回).

    dialog = FailureDecisionDialog(unopened_entries, previous=(reason, decisions), parent=page)
    if dialog.exec():
        reason, decisions = dialog.result_value()   # decisions: only the host's overrides

The platform proposes each cause at close (not released, wrong key, damaged bid → the bidder;
its own copy, a restart, a key not judged in time → the platform); "Platform's proposal"
keeps it. An override needs its own reason; the overall reason is always required.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client import wire

from ._opening_models import RED
from ._opening_text import OpeningText

__all__ = ["PROPOSAL", "FailureDecisionDialog"]

PROPOSAL = "proposal"
_CHOICES = (PROPOSAL, "bidder", "platform")


class FailureDecisionDialog(QDialog):
    def __init__(
        self,
        bidders: Sequence[wire.BidderEntry],
        *,
        previous: tuple[str, Sequence[wire.FailureDecision]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Close the decryption window"))
        self.bidders = list(bidders)
        text = OpeningText(self)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "{0} bid(s) did not open. Decide each by its cause (Art. 31): the bidder's"
                " fault → revoked (撤销); the platform's or another party's fault → withdrawn"
                " (撤回). The platform proposes a cause; override it only with a reason."
            ).format(len(self.bidders))
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(len(self.bidders), 6)
        self.table.setAccessibleName(self.tr("Bids that did not open"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Bidder"),
                self.tr("Status"),
                self.tr("Platform's proposal"),
                self.tr("Decision"),
                self.tr("Reason for the decision"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        before = {d.org_code: d for d in previous[1]} if previous else {}
        self.choices: list[QComboBox] = []
        self.reasons: list[QLineEdit] = []
        for i, b in enumerate(self.bidders):
            self.table.setItem(i, 0, QTableWidgetItem(str(b.number)))
            self.table.setItem(i, 1, QTableWidgetItem(f"{b.name} ({b.org_code or '—'})"))
            self.table.setItem(i, 2, QTableWidgetItem(text.decryption(b.decryption)))
            if b.decryption == "pending":
                proposal = self.tr("Not released → bidder's fault: revoked (撤销)")
            else:
                proposal = self.tr(
                    "Release failed → bidder's fault: revoked (撤销), unless the platform"
                    " finds its own failure: withdrawn (撤回)"
                )
            self.table.setItem(i, 3, QTableWidgetItem(proposal))
            combo = QComboBox()
            combo.addItem(self.tr("Platform's proposal"), PROPOSAL)
            combo.addItem(self.tr("Bidder's fault → revoked (撤销)"), "bidder")
            combo.addItem(self.tr("Platform's fault → withdrawn (撤回)"), "platform")
            combo.setAccessibleName(self.tr("Decision for bidder {0}").format(b.number))
            reason = QLineEdit()
            reason.setAccessibleName(self.tr("Reason for bidder {0}").format(b.number))
            reason.setPlaceholderText(self.tr("Required when you decide yourself"))
            if b.org_code is None:
                # A decision names the bidder by its code: without one the proposal stands.
                combo.setEnabled(False)
                reason.setEnabled(False)
            old = before.get(b.org_code or "")
            if old is not None:
                combo.setCurrentIndex(_CHOICES.index(old.fault))
                reason.setText(old.reason)
            self.choices.append(combo)
            self.reasons.append(reason)
            self.table.setCellWidget(i, 4, combo)
            self.table.setCellWidget(i, 5, reason)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)

        form = QFormLayout()
        self.overall_reason = QLineEdit(previous[0] if previous else "")
        self.overall_reason.setAccessibleName(self.tr("Reason for the decisions"))
        self.overall_reason.setPlaceholderText(self.tr("Required: goes on the record"))
        form.addRow(self.tr("Reason for the decisions:"), self.overall_reason)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {RED.name()};")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Problem"))
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Close the window"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 420)

    def set_choice(self, number: int, fault: str, reason: str) -> None:
        """Decide bidder ``number`` (``proposal``, ``bidder`` or ``platform``) with ``reason``."""
        i = next(i for i, b in enumerate(self.bidders) if b.number == number)
        self.choices[i].setCurrentIndex(_CHOICES.index(fault))
        self.reasons[i].setText(reason)

    def result_value(self) -> tuple[str, list[wire.FailureDecision]] | None:
        """The overall reason and the overrides; None (with the problem shown) when a reason
        is missing."""
        reason = self.overall_reason.text().strip()
        if not reason:
            self.error_label.setText(
                self.tr("Give the reason for these decisions: it goes on the record.")
            )
            return None
        decisions: list[wire.FailureDecision] = []
        for b, combo, edit in zip(self.bidders, self.choices, self.reasons, strict=True):
            fault = combo.currentData()
            if fault == PROPOSAL or b.org_code is None:
                continue
            why = edit.text().strip()
            if not why:
                self.error_label.setText(
                    self.tr("Give the reason for your decision on bidder {0}.").format(b.number)
                )
                edit.setFocus()
                return None
            decisions.append(wire.FailureDecision(org_code=b.org_code, fault=fault, reason=why))
        self.error_label.clear()
        return reason, decisions

    def _accept(self) -> None:
        if self.result_value() is not None:
            self.accept()
