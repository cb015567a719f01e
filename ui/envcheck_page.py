"""The environment check page (环境检测): what a support desk asks first, checked in one go.

    page = EnvCheckPage(ctx)
    page.run()                       # a worker; `finished(report)` when done
    page.export_to(Path("环境检测.json"))   # JSON for support, any other name: text

``client.envcheck.check_environment`` does the platform (reachable, clock offset, its saved
certificate), the certificates (validity, chain to the platform's CAs, expiry soon or before
an opening with a bid in it), a signed-in USB key, and disk space and write access where
receipts and bids are kept. This page adds what only the app knows: whether a platform is
chosen and someone is signed in, whether the USB key's PKCS#11 module (Settings) loads and
sees a token, and whether the TLS CA bundle (Settings) is readable. The report holds no key,
password or PIN.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from client.envcheck import EnvReport, Finding, check_environment
from crypto._files import atomic_write
from crypto.identity import Identity
from sealbid.errors import SealBidError

from ._login_tokens import check_module
from .context import AppContext
from .i18n import current_language
from .tasks import Job, Task, run_task
from .widgets import Page, row_table

__all__ = ["EnvCheckPage", "run_checks"]

LevelRole = Qt.ItemDataRole.UserRole
_COLOURS = {"warn": QColor("#fff3cd"), "fail": QColor("#f8d7da")}


def _module_finding(report: EnvReport, module: str, identity: Identity | None) -> None:
    if not module:
        if getattr(identity, "token_label", None) is None:
            report.add(
                "token.module",
                "ok",
                "未设置 CA锁（UKey） 的 PKCS#11 模块（使用证书文件登录时不需要）",
                "no PKCS#11 module set for a USB key (not needed with a certificate file)",
            )
        return
    try:
        description, count = check_module(module)
    except SealBidError as exc:
        report.add(
            "token.module",
            "fail",
            f"CA锁 模块无法使用：{exc.diagnostics('zh_CN')}",
            f"the USB key's module cannot be used: {exc.diagnostics('en_US')}",
        )
        return
    if count == 0:
        report.add(
            "token.module",
            "warn",
            f"PKCS#11 模块 {module}（{description}）已加载，但未检测到 CA锁：请插入",
            f"the PKCS#11 module {module} ({description}) loads, but no USB key is plugged in",
        )
        return
    report.add(
        "token.module",
        "ok",
        f"PKCS#11 模块 {module}（{description}）已加载，检测到 {count} 个 CA锁",
        f"the PKCS#11 module {module} ({description}) loads and sees {count} USB key(s)",
    )


def _ca_bundle_finding(report: EnvReport, path: str) -> None:
    if not path:
        return
    from .settings import check_ca_bundle

    try:
        count = check_ca_bundle(path)
    except SealBidError as exc:
        report.add(
            "tls.ca_bundle",
            "fail",
            f"TLS 根证书文件不可用（设置中的 CA bundle）：{exc.diagnostics('zh_CN')}",
            f"the TLS CA bundle set in Settings cannot be used: {exc.diagnostics('en_US')}",
        )
        return
    report.add(
        "tls.ca_bundle",
        "ok",
        f"TLS 根证书文件可用：{path}（{count} 张证书）",
        f"the TLS CA bundle {path} holds {count} certificate(s)",
    )


def run_checks(
    job: Job,
    ctx: AppContext,
    *,
    identity: Identity | None,
    has_platform: bool,
    module: str,
    ca_bundle: str,
) -> EnvReport:
    """Everything the page checks (a worker: network, token module, disk)."""
    state_dir, work_dir = ctx.state_dir, ctx.bids_dir
    report: EnvReport | None = None
    first: list[tuple[str, str, str, str]] = []
    if has_platform:
        try:
            # A client of its own: the check makes many requests and must not hold up the
            # pages that share ctx.client() meanwhile.
            with ctx.new_client() as client:
                report = check_environment(
                    client=client, identity=identity, state_dir=state_dir, work_dir=work_dir
                )
        except SealBidError as exc:  # no client at all (e.g. a CA bundle it cannot load)
            first.append(
                (
                    "platform",
                    "fail",
                    f"无法建立与交易平台的连接：{exc.diagnostics('zh_CN')}",
                    f"cannot set up the connection to the platform: {exc.diagnostics('en_US')}",
                )
            )
    else:
        first.append(
            (
                "platform",
                "warn",
                "尚未选择交易平台（或内置沙箱尚未启动）：未检查平台连接和时钟",
                "no platform chosen (or the sandbox has not started): the connection and the"
                " clock were not checked",
            )
        )
    job.check()
    if report is None:
        report = check_environment(
            client=None, identity=identity, state_dir=state_dir, work_dir=work_dir
        )
    for key, level, zh, en in reversed(first):
        report.findings.insert(0, Finding(key, level, zh, en))  # type: ignore[arg-type]
    if identity is None:
        report.add(
            "identity",
            "warn",
            "尚未登录：未检查证书（登录后再检测一次）",
            "not signed in: the certificates were not checked (log in and check again)",
        )
    job.check()
    _module_finding(report, module, identity)
    _ca_bundle_finding(report, ca_bundle)
    return report


def _export(job: Job, report: EnvReport, path: Path) -> str:
    if path.suffix.lower() == ".json":
        data = report.to_json().encode("utf-8") + b"\n"
    else:
        # Both languages: the report goes to a support desk that may read either.
        data = report.render(None).encode("utf-8") + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return str(path)


class EnvCheckPage(Page):
    key = "envcheck"

    finished = Signal(object)  # the EnvReport
    exported = Signal(str)  # the file written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: EnvReport | None = None
        self._task: Task | None = None

        heading = QLabel(self.tr("Environment check"))
        font = heading.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            self.tr(
                "Checks the connection to the platform, this computer's clock, your"
                " certificates, the USB key, and the disk space where bids and receipts are"
                " kept. Run it before a deadline or an opening; send the exported report to"
                " support if something is wrong. It holds no password, PIN or key."
            )
        )
        intro.setWordWrap(True)

        self.run_button = QPushButton(self.tr("&Run check"))
        self.run_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.export_button = QPushButton(self.tr("&Export report…"))
        self.export_button.clicked.connect(self._ask_export)
        self.copy_button = QPushButton(self.tr("C&opy"))
        self.copy_button.clicked.connect(self.copy)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(self.tr("Checking"))
        self.progress.hide()

        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels([self.tr("Result"), self.tr("Finding")])
        self.view = row_table(self.model, self.tr("Environment check findings"))
        self.view.setWordWrap(True)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName(self.tr("Environment check result"))

        buttons = QHBoxLayout()
        for b in (self.run_button, self.cancel_button, self.export_button, self.copy_button):
            buttons.addWidget(b)
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(self.view, 1)
        self._update_actions()

    def title(self) -> str:
        return self.tr("Environment check")

    @property
    def running(self) -> bool:
        return self._task is not None

    def _update_actions(self) -> None:
        busy = self.running
        self.run_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.export_button.setEnabled(self.report is not None and not busy)
        self.copy_button.setEnabled(self.report is not None and not busy)

    # -- running --

    def run(self) -> None:
        if self.running:
            return
        ctx = self.ctx
        starting = ctx.platform_mode == "sandbox" and ctx.sandbox is None
        self.verdict.setText(self.tr("Checking…"))
        self._task = (
            run_task(
                run_checks,
                ctx,
                identity=ctx.identity,
                has_platform=bool(ctx.platform_url) and not starting,
                module=str(ctx.setting("token/module", "")),
                ca_bundle=str(ctx.setting("net/ca_bundle", "")),
            )
            .on_done(self._show)
            .on_cancelled(lambda: self.verdict.setText(self.tr("Check cancelled.")))
            .on_error(self._failed)
            .on_finished(self._done)
            .start()
        )
        self._update_actions()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _done(self) -> None:
        self._task = None
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.verdict.setText(
            self.tr("The check could not run: {0}").format(self.ctx.errors.message(exc))
        )
        self.ctx.errors.show(exc)

    def level_text(self, level: str) -> str:
        if level == "ok":
            return self.tr("OK")
        if level == "warn":
            return self.tr("Warning")
        return self.tr("Problem")

    def _show(self, report: EnvReport) -> None:
        self.report = report
        zh = current_language().startswith("zh")
        style = self.style()
        icons = {
            "ok": style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
            "warn": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            "fail": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
        }
        self.model.removeRows(0, self.model.rowCount())
        for finding in report.findings:
            level = QStandardItem(icons[finding.level], self.level_text(finding.level))
            text = QStandardItem(finding.zh if zh else finding.en)
            text.setToolTip(finding.zh if zh else finding.en)
            for item in (level, text):
                item.setData(finding.level, LevelRole)
                item.setData(finding.key, LevelRole + 1)
                colour = _COLOURS.get(finding.level)
                if colour is not None:
                    item.setBackground(QBrush(colour))
            self.model.appendRow([level, text])
        self.view.resizeColumnToContents(0)
        self.view.resizeRowsToContents()
        problems = sum(1 for f in report.findings if f.level == "fail")
        warnings = sum(1 for f in report.findings if f.level == "warn")
        if problems:
            verdict = self.tr("{0} problem(s) to fix before you bid, {1} warning(s).").format(
                problems, warnings
            )
        elif warnings:
            verdict = self.tr("Passed, with {0} warning(s).").format(warnings)
        else:
            verdict = self.tr("Everything checked is in order.")
        self.verdict.setText(verdict)
        self.ctx.status.emit(verdict)
        self.finished.emit(report)

    def findings(self) -> list[tuple[str, str, str]]:
        """(key, level, text shown) of every row (tests, support)."""
        out = []
        for row in range(self.model.rowCount()):
            item = self.model.item(row, 1)
            out.append((str(item.data(LevelRole + 1)), str(item.data(LevelRole)), item.text()))
        return out

    # -- report --

    def text(self) -> str:
        """The report in the UI's language, as copied."""
        return self.report.render(current_language()) if self.report is not None else ""

    def copy(self) -> None:
        if self.report is None:
            return
        QApplication.clipboard().setText(self.text())
        self.ctx.status.emit(self.tr("The environment report was copied."))

    def _ask_export(self) -> None:
        if self.report is None:
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        suggested = Path.home() / (self.tr("environment-check") + f"-{stamp}.txt")
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the environment report"),
            str(suggested),
            self.tr("Text report (*.txt);;JSON for support (*.json)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the report to ``path`` (JSON for a ``.json`` name, else text), atomically."""
        if self.report is None:
            return
        self.export_button.setEnabled(False)

        def written(where: str) -> None:
            self.ctx.status.emit(self.tr("Report saved to {0}").format(where))
            self.exported.emit(where)

        run_task(_export, self.report, Path(path)).on_done(written).on_finished(
            self._update_actions
        ).start()

    def show_item(self, item: Any) -> None:
        if item == "run":
            self.run()
