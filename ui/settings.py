"""The settings page (设置): the platform, the network, the language and the USB key's module.

    page = SettingsPage(ctx)
    page.url.setText("https://ggzy.example.gov.cn"); page.url_mode.setChecked(True)
    page.save()              # validates; `saved` after writing QSettings, `invalid` otherwise

Every field is checked before anything is written: the platform URL (``https://``, or
``http://`` to this computer only), the proxy (``http://host:port``), the TLS CA bundle (a PEM
file that really holds certificates: read in a worker) and the module path. A field that is
wrong shows its problem next to it, nothing is saved, and nothing typed is lost. The language
applies at the next start.
"""

from __future__ import annotations

import ssl
import urllib.parse
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from client import load_certificates, normalise_base_url
from sealbid.errors import SealBidError, UsageError

from ._login_tokens import module_candidates
from .context import AppContext
from .tasks import Job, run_task
from .widgets import Page

__all__ = ["SettingsPage", "check_ca_bundle", "proxy_problem"]

KEYS = {
    "mode": "platform/mode",
    "url": "platform/url",
    "proxy": "net/proxy",
    "ca_bundle": "net/ca_bundle",
    "language": "ui/language",
    "module": "token/module",
}


def _check_ca_bundle(job: Job, path: str) -> int:
    return check_ca_bundle(path)


def check_ca_bundle(path: str) -> int:
    """How many certificates the PEM file at ``path`` holds; raises a UsageError otherwise.
    Reads the file: workers only."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UsageError(what=f"{p}: {exc.strerror}") from exc
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise UsageError(what=f"{p.name}: 不是 PEM 格式的证书文件 / not a PEM certificate file")
    certs = load_certificates(data)
    try:
        # What PlatformClient does with it: the file must also satisfy the TLS library.
        ssl.create_default_context(cafile=str(p))
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(what=f"{p.name}: {exc}") from exc
    return len(certs)


def proxy_problem(text: str) -> str | None:
    """Why ``text`` is not a usable proxy URL (English, for the translation layer's caller),
    or None when it is fine (empty is fine: no proxy)."""
    if not text:
        return None
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        return "port"
    if parts.scheme.lower() not in ("http", "https"):
        return "scheme"
    if not parts.hostname:
        return "host"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "path"
    if port is not None and not 0 < port < 65536:
        return "port"
    return None


class SettingsPage(Page):
    key = "settings"

    saved = Signal()
    invalid = Signal()  # validation failed: the errors are shown, nothing was written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._dirty = False
        self._checking = False

        heading = QLabel(self.tr("Settings"))
        font = heading.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        heading.setFont(font)

        # -- platform --
        platform = QGroupBox(self.tr("Trading platform"))
        self.sandbox_mode = QRadioButton(self.tr("Built-in &sandbox platform (practice)"))
        self.url_mode = QRadioButton(self.tr("Platform &URL:"))
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.sandbox_mode)
        self.mode_group.addButton(self.url_mode)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://ggzy.example.gov.cn")
        self.url.setAccessibleName(self.tr("Platform URL"))
        self.url_error = self._error_label(self.tr("Platform URL problem"))
        self.url_mode.toggled.connect(self.url.setEnabled)
        platform_layout = QVBoxLayout(platform)
        platform_layout.addWidget(self.sandbox_mode)
        row = QHBoxLayout()
        row.addWidget(self.url_mode)
        row.addWidget(self.url, 1)
        platform_layout.addLayout(row)
        platform_layout.addWidget(self.url_error)

        # -- network --
        network = QGroupBox(self.tr("Network"))
        self.proxy = QLineEdit()
        self.proxy.setPlaceholderText("http://proxy.example.com:8080")
        self.proxy.setAccessibleName(self.tr("Proxy URL"))
        self.proxy_error = self._error_label(self.tr("Proxy problem"))
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setPlaceholderText(self.tr("Empty: the system's trusted CAs"))
        self.ca_bundle.setAccessibleName(self.tr("TLS CA bundle"))
        self.ca_browse = QPushButton(self.tr("&Browse…"))
        self.ca_browse.clicked.connect(self._browse_ca)
        self.ca_error = self._error_label(self.tr("TLS CA bundle problem"))
        form = QFormLayout(network)
        proxy_label = QLabel(self.tr("&Proxy:"))
        proxy_label.setBuddy(self.proxy)
        form.addRow(proxy_label, self.proxy)
        form.addRow("", self.proxy_error)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.ca_browse)
        ca_label = QLabel(self.tr("TLS &CA bundle (PEM):"))
        ca_label.setBuddy(self.ca_bundle)
        form.addRow(ca_label, ca_row)
        form.addRow("", self.ca_error)
        note = QLabel(
            self.tr(
                "The proxy is used for https:// platforms only. The CA bundle is needed when"
                " the platform's TLS certificate comes from a CA this computer does not know."
            )
        )
        note.setWordWrap(True)
        form.addRow(note)

        # -- language and USB key --
        other = QGroupBox(self.tr("Language and USB key"))
        self.language = QComboBox()
        # Each language is named in itself, as language menus do: not translated.
        self.language.addItem("中文 (zh_CN)", "zh_CN")
        self.language.addItem("English", "en_US")
        self.language.setAccessibleName(self.tr("Language"))
        self.language_note = QLabel(self.tr("A new language applies after SealBid restarts."))
        self.module = QComboBox()
        self.module.setEditable(True)
        self.module.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.module.setAccessibleName(self.tr("PKCS#11 module"))
        for path in module_candidates():
            self.module.addItem(path)
        module_line = self.module.lineEdit()
        if module_line is not None:
            module_line.setPlaceholderText(
                self.tr("Empty: no USB key (pick a module from the list)")
            )
        self.module_browse = QPushButton(self.tr("B&rowse…"))
        self.module_browse.clicked.connect(self._browse_module)
        self.module_error = self._error_label(self.tr("PKCS#11 module problem"))
        other_form = QFormLayout(other)
        language_label = QLabel(self.tr("&Language:"))
        language_label.setBuddy(self.language)
        other_form.addRow(language_label, self.language)
        other_form.addRow("", self.language_note)
        module_row = QHBoxLayout()
        module_row.addWidget(self.module, 1)
        module_row.addWidget(self.module_browse)
        module_label = QLabel(self.tr("PKCS#11 &module:"))
        module_label.setBuddy(self.module)
        other_form.addRow(module_label, module_row)
        other_form.addRow("", self.module_error)

        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_button.setToolTip(self.tr("Save the settings (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("Re&vert"))
        self.revert_button.clicked.connect(self.load)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Settings message"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(platform)
        layout.addWidget(network)
        layout.addWidget(other)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.load()
        for edit in (self.url, self.proxy, self.ca_bundle):
            edit.textEdited.connect(self._edited)
        self.module.editTextChanged.connect(self._edited)
        self.language.currentIndexChanged.connect(self._edited)
        self.url_mode.toggled.connect(self._edited)

    def title(self) -> str:
        return self.tr("Settings")

    def activated(self) -> None:
        # What the user typed and did not save yet stays; otherwise show what is stored now.
        if not self._dirty:
            self.load()

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setStyleSheet("color: #b00020")
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.hide()
        return label

    def _edited(self, *_: Any) -> None:
        self._dirty = True

    # -- loading and browsing --

    def load(self) -> None:
        """Show the stored settings (drops unsaved edits)."""
        ctx = self.ctx
        url_mode = ctx.platform_mode == "url"
        self.url_mode.setChecked(url_mode)
        self.sandbox_mode.setChecked(not url_mode)
        self.url.setEnabled(url_mode)
        self.url.setText(str(ctx.setting(KEYS["url"], "")))
        self.proxy.setText(str(ctx.setting(KEYS["proxy"], "")))
        self.ca_bundle.setText(str(ctx.setting(KEYS["ca_bundle"], "")))
        index = self.language.findData(ctx.language)
        self.language.setCurrentIndex(max(index, 0))
        self.module.setEditText(str(ctx.setting(KEYS["module"], "")))
        self._clear_errors()
        self.message.clear()
        self._dirty = False

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the CA bundle (PEM)"),
            self.ca_bundle.text(),
            self.tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_bundle.setText(path)
            self._dirty = True

    def _browse_module(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the PKCS#11 module of your USB key"), self.module.currentText()
        )
        if path:
            self.module.setEditText(path)
            self._dirty = True

    # -- validating and saving --

    def values(self) -> dict[str, str]:
        """What the fields say now (not yet validated)."""
        return {
            "mode": "url" if self.url_mode.isChecked() else "sandbox",
            "url": self.url.text().strip(),
            "proxy": self.proxy.text().strip(),
            "ca_bundle": self.ca_bundle.text().strip(),
            "language": str(self.language.currentData()),
            "module": self.module.currentText().strip(),
        }

    def _clear_errors(self) -> None:
        for label in (self.url_error, self.proxy_error, self.ca_error, self.module_error):
            label.clear()
            label.hide()

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _check_fields(self, values: dict[str, str]) -> tuple[dict[str, str], bool]:
        """Normalised values and whether every field that needs no file read is fine."""
        ok = True
        out = dict(values)
        if values["url"] or values["mode"] == "url":
            if not values["url"]:
                self._show(self.url_error, self.tr("Enter the platform's address (https://…)."))
                ok = False
            else:
                try:
                    out["url"] = normalise_base_url(values["url"])
                except SealBidError as exc:
                    self._show(self.url_error, self.ctx.errors.message(exc))
                    ok = False
        problem = proxy_problem(values["proxy"])
        if problem is not None:
            messages = {
                "scheme": self.tr("The proxy must start with http:// or https://."),
                "host": self.tr("The proxy needs a host name: http://host:port."),
                "port": self.tr("The proxy's port must be a number from 1 to 65535."),
                "path": self.tr("Give the proxy as http://host:port, without a path."),
            }
            self._show(self.proxy_error, messages[problem])
            ok = False
        if values["module"] and not Path(values["module"]).is_file():
            self._show(
                self.module_error,
                self.tr(
                    "No such file: {0}. Install the USB key's driver or choose its module."
                ).format(values["module"]),
            )
            ok = False
        return out, ok

    def save(self) -> None:
        """Validate every field; write them all only if all are fine."""
        if self._checking:
            return
        self._clear_errors()
        self.message.clear()
        values, ok = self._check_fields(self.values())
        if not values["ca_bundle"]:
            self._finish(values, ok)
            return
        self._checking = True
        self.save_button.setEnabled(False)
        # What is being checked is what gets saved: no edits meanwhile.
        for box in self.findChildren(QGroupBox):
            box.setEnabled(False)
        self.message.setText(self.tr("Checking the CA bundle…"))

        def checked(_count: int) -> None:
            self._finish(values, ok)

        def bad(exc: BaseException) -> None:
            self._show(
                self.ca_error,
                self.tr("Not a usable CA bundle: {0}").format(self.ctx.errors.message(exc)),
            )
            self._finish(values, False)

        def done() -> None:
            self._checking = False
            self.save_button.setEnabled(True)
            for box in self.findChildren(QGroupBox):
                box.setEnabled(True)

        run_task(_check_ca_bundle, values["ca_bundle"]).on_done(checked).on_error(bad).on_finished(
            done
        ).start()

    def _finish(self, values: dict[str, str], ok: bool) -> None:
        if not ok:
            self.message.setText(self.tr("Nothing was saved: correct the fields marked in red."))
            self.invalid.emit()
            return
        ctx = self.ctx
        old_language = ctx.language
        for name, key in KEYS.items():
            ctx.set_setting(key, values[name])
        self.url.setText(values["url"])
        self._dirty = False
        ctx.platform_changed()
        notes = [self.tr("Settings saved.")]
        if values["language"] != old_language:
            notes.append(self.tr("The new language applies after SealBid restarts."))
        if values["mode"] == "sandbox" and ctx.sandbox is None:
            window = self.window()
            if hasattr(window, "ensure_platform"):
                window.ensure_platform()
            else:
                notes.append(self.tr("Restart SealBid to start the sandbox platform."))
        text = " ".join(notes)
        self.message.setText(text)
        ctx.status.emit(text)
        self.saved.emit()
