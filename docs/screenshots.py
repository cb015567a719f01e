"""Screenshots of the desktop app's main screens, for docs/ (run under Xvfb, a real X window).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots.py [--lang zh_CN|en_US]

Starts the app's real main window on a fresh embedded sandbox platform in a temporary data
folder, signs in as the first sandbox bidder, seals and submits a small bid through the core
(so that submissions and receipts have something to show), then visits every page, waits for
its workers and saves ``docs/images/ui/<lang>-<page>.png``. Then a remote opening on a new
section with three bids (made through ``tests/openingkit.py``, the platform's clock moved past
the opening): the host's console while bids decrypt (``operator``), a bidder's hall with the
results (``hall``) and the record to confirm (``hall-record``), and the print preview of the
signed record (``record-preview``). Look at every picture after a change.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # openingkit, platformserver: the opening's people

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget  # noqa: E402

LIVE = 0
"""Tasks that run as long as their page follows an opening (an event stream each)."""


def settle(app: QApplication, seconds: float = 0.3, limit: float = 60.0) -> None:
    """Process events until no worker runs but the event streams (and at least ``seconds``)."""
    from ui.tasks import pending_tasks

    start = time.monotonic()
    while time.monotonic() - start < limit:
        app.processEvents()
        if pending_tasks() <= LIVE and time.monotonic() - start >= seconds:
            break
        time.sleep(0.02)
    app.processEvents()


def shoot(widget: QWidget, out: Path) -> None:
    widget.grab().save(str(out))
    print(out)


def opening(
    app: QApplication,
    args: argparse.Namespace,
    ctx: object,
    window: object,
    sandbox: object,
    clock: object,
    tmp: Path,
) -> None:
    """The opening's screens: the host in a second window, bidder 0 in the first."""
    global LIVE
    from types import SimpleNamespace

    from openingkit import OpeningKit

    from crypto.identity import load_identity
    from ui.context import AppContext
    from ui.mainwindow import MainWindow

    prefix = args.lang
    platform = SimpleNamespace(url=sandbox.url, sandbox=sandbox._sandbox())  # type: ignore[attr-defined]
    kit = OpeningKit(platform, clock, tmp / "kit")  # type: ignore[arg-type]
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    host = kit.opening(kit.party("host"), sid)
    people = [kit.opening(b, sid) for b in kit.bidders(3)]

    settings = QSettings(str(tmp / "host.ini"), QSettings.Format.IniFormat)
    settings.setValue("platform/mode", "url")
    settings.setValue("platform/url", sandbox.url)  # type: ignore[attr-defined]
    settings.setValue("ui/language", args.lang)
    host_ctx = AppContext(settings=settings, data_dir=tmp / "主持人")
    host_ctx.errors.interactive = False
    person = sandbox.identities("host")[0]  # type: ignore[attr-defined]
    host_window = MainWindow(host_ctx)
    host_window.resize(1280, 800)
    host_window.show()
    host_ctx.set_identity(load_identity(person.p12, password=person.password()), str(person.p12))
    settle(app, 1.5)
    console = host_window.page("operator")
    host_window.navigate("operator")
    settle(app, 1.0)
    console.select_section(sid)  # type: ignore[attr-defined]
    window.navigate("hall", sid)  # type: ignore[attr-defined]
    hall = window.page("hall")  # type: ignore[attr-defined]
    LIVE = 2  # the console's and the hall's event streams
    settle(app, 1.0)

    host.start()
    for p in people:
        p.signin()
    host.publish_list()
    host.open_window(30)
    people[0].release()
    people[1].release()
    settle(app, 3.0)
    shoot(host_window, args.out / f"{prefix}-operator.png")  # type: ignore[arg-type]
    shoot(window, args.out / f"{prefix}-hall-window.png")  # type: ignore[arg-type]

    people[2].release()
    host.close(early=True)
    people[1].object("请核对第 2 号投标人报价的大写金额。")
    settle(app, 3.0)
    hall.tabs.setCurrentWidget(hall.results_view)  # type: ignore[attr-defined]
    settle(app, 0.5)
    shoot(window, args.out / f"{prefix}-hall.png")  # type: ignore[arg-type]

    objection = host.state().objections[0]
    host.answer(objection.id, "已核对，大写与小写一致。")
    host.announce(confirmation_minutes=30)
    people[1].sign_record("confirm")
    settle(app, 3.0)
    hall.tabs.setCurrentWidget(hall.record_holder)  # type: ignore[attr-defined]
    settle(app, 2.0)
    shoot(window, args.out / f"{prefix}-hall-record.png")  # type: ignore[arg-type]

    for p in (people[0], people[2]):
        p.sign_record("confirm")
    for role in ("host", "recorder", "supervisor"):
        kit.opening(kit.party(role), sid).sign_record("confirm")
    host.finish()
    settle(app, 3.0)
    console.tabs.setCurrentWidget(console.record_box)  # type: ignore[attr-defined]
    settle(app, 2.0)
    shoot(host_window, args.out / f"{prefix}-operator-record.png")  # type: ignore[arg-type]
    panel = console.record_panel  # type: ignore[attr-defined]
    opened: list[object] = []
    panel.previewOpened.connect(opened.append)
    deadline = time.monotonic() + 120
    while not panel.print_button.isEnabled() and time.monotonic() < deadline:
        settle(app, 0.5)
    panel.open_preview()
    while not opened and time.monotonic() < deadline:
        settle(app, 0.5)
    if opened:
        dialog = opened[0]
        dialog.resize(1000, 800)  # type: ignore[attr-defined]
        settle(app, 1.5)
        shoot(dialog, args.out / f"{prefix}-record-preview.png")  # type: ignore[arg-type]
        dialog.close()  # type: ignore[attr-defined]
    host_window.close()  # type: ignore[attr-defined]
    kit.close()
    host_ctx.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en_US"])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images" / "ui")
    args = parser.parse_args()
    QCoreApplication.setOrganizationName("SealBid")
    QCoreApplication.setApplicationName("SealBid")
    app = QApplication(sys.argv[:1])

    from crypto import seal
    from crypto.identity import load_identity
    from ui.context import AppContext
    from ui.firststart import FirstStartDialog
    from ui.i18n import install_language
    from ui.login import LoginDialog
    from ui.mainwindow import MainWindow
    from ui.sandbox import EmbeddedPlatform

    install_language(app, args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sealbid-shots-"))
    try:
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("platform/mode", "sandbox")
        settings.setValue("ui/language", args.lang)
        ctx = AppContext(settings=settings, data_dir=tmp / "数据")
        from platformserver import SettableClock

        clock = SettableClock()
        sandbox = EmbeddedPlatform.start(ctx.sandbox_dir, clock=clock)
        ctx.set_sandbox(sandbox)
        window = MainWindow(ctx)
        ctx.errors.interactive = False
        window.resize(1280, 800)
        window.show()
        settle(app)
        prefix = args.lang

        first = FirstStartDialog(ctx, window)
        first.show()
        settle(app, 0.5)
        shoot(first, args.out / f"{prefix}-first-start.png")
        first.close()

        login = LoginDialog(ctx, window)
        login.show()
        settle(app, 1.0)
        shoot(login, args.out / f"{prefix}-login.png")
        login.close()

        person = sandbox.identities("bidder")[0]
        ctx.set_identity(load_identity(person.p12, password=person.password()), str(person.p12))
        ctx.remember_identity_file(str(person.p12))
        # A bid sealed and submitted through the core, so the lists have content.
        with ctx.client() as client:
            sections = [s for s in client.sections() if s.open_for_bids]
            section = sections[0]
            doc = tmp / "商务标.pdf"
            doc.write_bytes(b"%PDF-1.4\n% SealBid screenshot sample\n" + b"0" * 200_000)
            (tmp / "技术标（第一册）.pdf").write_bytes(b"%PDF-1.4\n" + b"1" * 3_500_000)
            summary = {}
            for f in section.form.fields:
                summary[f.key] = {
                    "money": "12345678.90",
                    "integer": 365,
                    "date": "2027-06-30",
                }.get(str(f.type), f.choices[0] if f.choices else "示例")
            ctx.bids_dir.mkdir(parents=True, exist_ok=True)
            out = ctx.bids_dir / f"{section.code}.sealbid"
            seal(
                [doc],
                out,
                identity=ctx.identity,  # type: ignore[arg-type]
                section=section.id,
                summary=summary,
                tender_version=section.tender_version,
                opening_time=section.opening_time,
            )
            client.submit(section.id, out)
        ctx.receiptsChanged.emit()
        ctx.submissionsChanged.emit()
        ctx.sealedBid.emit(section.id, str(out))

        # A .sealbid file opened from Explorer (the association), and the practice opening.
        from ui._practice import PracticeDialog

        (dialog,) = window.open_sealed_files([out])
        settle(app, 1.0)
        shoot(dialog, args.out / f"{prefix}-sealed-file.png")
        dialog.close()
        practice = PracticeDialog(window, person.name)
        practice.show()
        settle(app, 0.5)
        shoot(practice, args.out / f"{prefix}-practice.png")
        practice.close()

        for key in (
            "sections",
            "prepare",
            "submissions",
            "receipts",
            "certs",
            "envcheck",
            "settings",
        ):
            window.navigate(key, section.id if key == "prepare" else None)
            settle(app, 1.0)
            page = window.page(key)
            for name in ("run_check", "run"):  # the environment check runs on request
                if key == "envcheck" and hasattr(page, name):
                    getattr(page, name)()
                    settle(app, 1.0)
                    break
            if key in ("sections", "submissions", "receipts"):
                view = getattr(page, "view", None)
                if view is not None and view.model() is not None and view.model().rowCount():
                    view.selectRow(0)
                    settle(app, 0.5)
            if key == "prepare":
                # A bid being prepared: two documents, the form filled in, on the form's tab.
                page.add_paths([doc, tmp / "技术标（第一册）.pdf"])  # type: ignore[attr-defined]
                for f in section.form.fields:
                    page.form_widget.set_field(f.key, str(summary[f.key]))  # type: ignore[attr-defined]
                settle(app, 0.8)
                tabs = page.findChild(QTabWidget)
                if tabs is not None:
                    tabs.setCurrentIndex(1)
                    settle(app, 0.3)
                    shoot(window, args.out / f"{prefix}-prepare-form.png")
                    tabs.setCurrentIndex(0)
                    settle(app, 0.3)
            shoot(window, args.out / f"{prefix}-{key}.png")
        opening(app, args, ctx, window, sandbox, clock, tmp)
        window.close()
        ctx.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
