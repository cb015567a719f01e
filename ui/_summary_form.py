"""The bid-summary form (开标一览表) as widgets, generated from the section's form definition.

    form = SummaryFormWidget()
    form.build(section.form)              # one row per field: label (+unit, * required), editor
    form.set_field("price", "1,234,567.89")
    form.capital_text("price")            # "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"
    form.summary()                        # {"price": "1234567.89", ...}: what sealing takes
    form.problems()                       # the platform's own rules (client.forms) + 大写 checks

Money is typed in figures (thousands separators and full-width digits allowed); the summary
holds it as a plain digit string, never a float, exactly as the command line's JSON does
(``sealbid seal --summary``). Every keystroke re-validates with
:func:`client.forms.summary_problems`, the rule the platform applies when the bid is opened,
and shows the amount in Chinese capitals (:mod:`sealbid.money`) beneath the field. What the
user typed is kept as typed (``raw_values``), valid or not, so a draft loses nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from client.forms import summary_problems
from client.wire import FormField, SummaryForm
from sealbid.errors import SealBidError
from sealbid.money import format_figures, parse_amount, to_capital, to_yuan

from .errors import describe_error

__all__ = ["SummaryFormWidget", "money_text", "normalize_money"]

_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)
_INVALID_STYLE = "border: 1px solid #c0392b; background: #fdecea;"


def normalize_money(text: str) -> tuple[str, str | None]:
    """Figures as typed → the plain digit string the summary holds, and a problem if the
    thousands separators are misplaced (``1,234,56.78`` is a typo, not 123456.78).

    Full-width digits and punctuation (as a Chinese input method types them) are folded first.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = re.sub(r"\s+", "", folded)
    if "," not in folded:
        return folded, None
    if not _GROUPED.fullmatch(folded):
        return folded.replace(",", ""), "misplaced"
    return folded.replace(",", ""), None


def money_text(value: str, unit: str | None) -> tuple[str, str]:
    """``(figures, capitals)`` of an amount in ``unit``: ``("1,234,567.89 元", "壹佰…玖分")``.
    Raises :class:`~sealbid.errors.UsageError` for what is not an exact amount."""
    amount = parse_amount(value)
    shown_unit = unit or "元"
    capitals = to_capital(to_yuan(amount, shown_unit))
    given = max(-int(amount.as_tuple().exponent), 0)
    places = min(max(given, 2), 2 if shown_unit == "元" else 6)
    return f"{format_figures(amount, places)} {shown_unit}", capitals


class _Row:
    """The widgets of one field."""

    def __init__(self, field: FormField, editor: QLineEdit | QComboBox, label: QLabel) -> None:
        self.field = field
        self.editor = editor
        self.label = label
        self.capital = QLabel()
        self.capital.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        self.message.hide()
        self.touched = False


class SummaryFormWidget(QWidget):
    """Editors for every field of a :class:`~client.wire.SummaryForm`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form: SummaryForm | None = None
        self._rows: dict[str, _Row] = {}
        self._layout = QFormLayout(self)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._empty = QLabel(self.tr("Choose a section to see its bid-summary form."))
        self._layout.addRow(self._empty)
        self._building = False

    # -- building --

    def build(self, form: SummaryForm | None) -> None:
        """One row per field; the previous rows (and their values) go away."""
        self._building = True
        try:
            while self._layout.rowCount():
                self._layout.removeRow(0)
            self._rows.clear()
            self.form = form
            if form is None or not form.fields:
                self._empty = QLabel(
                    self.tr("Choose a section to see its bid-summary form.")
                    if form is None
                    else self.tr("This section's form has no fields.")
                )
                self._layout.addRow(self._empty)
                return
            for field in form.fields:
                self._add_row(field)
        finally:
            self._building = False
        self._refresh()

    def _add_row(self, field: FormField) -> None:
        text = field.label
        if field.unit:
            text += f"（{field.unit}）"
        if field.required:
            text += " *"
        label = QLabel(text)
        editor: QLineEdit | QComboBox
        if field.type == "choice":
            combo = QComboBox()
            if not field.required:
                combo.addItem("")
            combo.addItems(list(field.choices))
            combo.setPlaceholderText(self.tr("Choose…"))
            combo.setCurrentIndex(-1)
            combo.currentIndexChanged.connect(lambda _i, k=field.key: self._edited(k))
            editor = combo
        else:
            edit = QLineEdit()
            if field.type == "money":
                edit.setPlaceholderText(self.tr("Amount in figures, e.g. 1,234,567.89"))
                edit.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
            elif field.type == "integer":
                edit.setPlaceholderText(self.tr("Whole number"))
                edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            elif field.type == "date":
                edit.setPlaceholderText(self.tr("Date, YYYY-MM-DD"))
            edit.textChanged.connect(lambda _t, k=field.key: self._edited(k))
            editor = edit
        editor.setAccessibleName(field.label)
        editor.setObjectName(f"field_{field.key}")
        if field.required:
            editor.setToolTip(self.tr("Required"))
        label.setBuddy(editor)
        row = _Row(field, editor, label)
        row.capital.setAccessibleName(self.tr("{0} in Chinese capitals").format(field.label))
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(editor)
        if field.type == "money":
            lay.addWidget(row.capital)
        lay.addWidget(row.message)
        self._rows[field.key] = row
        self._layout.addRow(label, box)

    # -- values --

    def keys(self) -> list[str]:
        return list(self._rows)

    def editor(self, key: str) -> QLineEdit | QComboBox:
        return self._rows[key].editor

    def capital_label(self, key: str) -> QLabel:
        return self._rows[key].capital

    def message_label(self, key: str) -> QLabel:
        return self._rows[key].message

    def field_text(self, key: str) -> str:
        editor = self._rows[key].editor
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()

    def set_field(self, key: str, text: str) -> None:
        """Set a field as if typed (a choice by its text); unknown keys are a KeyError."""
        row = self._rows[key]
        editor = row.editor
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findText(text) if text else -1)
        else:
            editor.setText(text)
        row.touched = True

    def raw_values(self) -> dict[str, str]:
        """Every field's text as typed (for the draft)."""
        return {key: self.field_text(key) for key in self._rows}

    def set_raw_values(self, values: dict[str, str]) -> list[str]:
        """Restore texts (a draft); returns the keys whose value could not be put back: the
        form no longer has the field, or the choice is no longer offered."""
        lost: list[str] = []
        self._building = True
        try:
            for key, text in values.items():
                if key not in self._rows:
                    if text:
                        lost.append(key)
                    continue
                self.set_field(key, text)
                self._rows[key].touched = bool(text)
                if text and self.field_text(key) != text:
                    lost.append(f"{key}={text}")
        finally:
            self._building = False
        self._refresh()
        return lost

    def _value(self, row: _Row) -> Any:
        """The summary value of a field, or None when it is empty."""
        text = self.field_text(row.field.key)
        kind = row.field.type
        if kind == "choice":
            return text or None
        if kind == "money":
            value, _ = normalize_money(text)
            return value or None
        if kind == "integer":
            value = unicodedata.normalize("NFKC", text).strip()
            if re.fullmatch(r"[0-9]+", value, re.ASCII):
                return int(value)
            return value or None
        value = text.strip() if kind in ("text", "date") else text
        return value or None

    def summary(self) -> dict[str, Any]:
        """The bid summary sealing takes: money as digit strings, integers as ints; empty
        fields left out (the platform's check treats a missing field as not filled in)."""
        out: dict[str, Any] = {}
        for key, row in self._rows.items():
            value = self._value(row)
            if value is not None:
                out[key] = value
        return out

    # -- checking --

    def field_problem(self, key: str) -> str | None:
        """What is wrong with one field, by the platform's rules (plus the figures' form)."""
        row = self._rows[key]
        f = row.field
        if f.type == "money":
            _, misplaced = normalize_money(self.field_text(key))
            if misplaced:
                return self.tr("Thousands separators are misplaced: check the figures")
        value = self._value(row)
        single = SummaryForm(fields=(f,))
        problems = summary_problems(single, {} if value is None else {key: value})
        if problems:
            prefix = f"{f.label} ({f.key}): "
            text = problems[0]
            return text[len(prefix) :] if text.startswith(prefix) else text
        if f.type == "money" and value is not None:
            # The platform takes "1e5"; a bid form must write the amount out in capitals.
            try:
                money_text(str(value), f.unit)
            except SealBidError as exc:
                return describe_error(exc)
        return None

    def problems(self) -> list[str]:
        """Every problem, each naming its field: empty when the summary can be sealed."""
        if self.form is None:
            return []
        out: list[str] = []
        for key, row in self._rows.items():
            why = self.field_problem(key)
            if why:
                out.append(f"{row.field.label}: {why}")
        # Whatever the per-field view misses, the platform's whole-form check still catches.
        if not out:
            out = summary_problems(self.form, self.summary())
        return out

    def capital_text(self, key: str) -> str:
        """The amount of a money field in capitals ("" when it is empty or not an amount)."""
        row = self._rows[key]
        value = self._value(row)
        if row.field.type != "money" or value is None or self.field_problem(key):
            return ""
        try:
            return money_text(str(value), row.field.unit)[1]
        except SealBidError:
            return ""

    # -- reacting --

    def _edited(self, key: str) -> None:
        if self._building:
            return
        self._rows[key].touched = True
        self._refresh_row(self._rows[key])
        self.changed.emit()

    def _refresh(self) -> None:
        for row in self._rows.values():
            self._refresh_row(row)
        if not self._building:
            self.changed.emit()

    def _refresh_row(self, row: _Row) -> None:
        key = row.field.key
        why = self.field_problem(key)
        empty = self._value(row) is None
        # An empty required field is only marked once the user has been there: a fresh form
        # in red everywhere helps nobody. The seal button's reason names it all the same.
        show = bool(why) and (row.touched or not empty)
        row.message.setText(why or "")
        row.message.setVisible(show)
        row.editor.setStyleSheet(_INVALID_STYLE if show else "")
        row.editor.setProperty("invalid", show)
        if row.field.type == "money":
            capitals = self.capital_text(key)
            row.capital.setText(self.tr("In capitals: {0}").format(capitals) if capitals else "")
