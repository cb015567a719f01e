"""The GUI thread's longest stall while the app seals a large bid (target: none over 100 ms).

    .venv/bin/python bench/ui_stall.py                   # 512 MiB, 3 rounds, offscreen
    .venv/bin/python bench/ui_stall.py --size-mib 64 --repeat 1

A 1 ms ``QTimer`` (precise) ticks on the GUI thread of a real ``QApplication`` while a
``ui.tasks`` worker runs ``crypto.seal`` on the input — the same call, progress reporting and
cancel callback as the app's sealing — with a progress bar and label updated from the
worker's signals, as the prepare page does. The longest gap between ticks, minus the 1 ms
interval, is the stall. Peers in the same command: the same timer on an idle event loop (what
the machine's noise alone gives), the same loop while ``age`` encrypts the same file in a
subprocess (load without our threads), and ``crypto.seal`` called directly (what running it
in the app costs). Prints medians; never fails (style rule 17).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar  # noqa: E402

MiB = 1 << 20


class StallMeter:
    """Ticks every millisecond on the GUI thread; records the longest gap."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self._last = 0

    def start(self) -> None:
        self.gaps.clear()
        self.clock.start()
        self._last = self.clock.nsecsElapsed()
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.gaps.append((now - self._last) / 1e6)
        self._last = now

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "max_stall_ms": max(0.0, gaps[-1] - 1.0),
            "p99_gap_ms": gaps[int(len(gaps) * 0.99) - 1 if len(gaps) > 1 else 0],
            "ticks": float(len(gaps)),
        }


def _wait(app: QApplication, done: list[bool]) -> None:
    while not done[0]:
        app.processEvents()
        time.sleep(0.0005)


def idle(app: QApplication, meter: StallMeter, seconds: float) -> dict[str, float]:
    meter.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.0005)
    return meter.stop()


def seal_in_app(
    app: QApplication, meter: StallMeter, identity: Any, src: Path, out: Path
) -> dict[str, float]:
    from crypto import seal
    from ui.tasks import Job, run_task

    bar, label = QProgressBar(), QLabel()
    bar.show()
    label.show()

    def work(job: Job) -> object:
        return seal(
            [src],
            out,
            identity=identity,
            section="BENCH-01",
            summary={"price": "1.00"},
            progress=job.progress,
            cancel=job.cancelled,
        )

    def progress(done_: int, total: int) -> None:
        bar.setValue(int(done_ * 1000 / max(total, 1)))
        label.setText(f"{done_:,} / {total:,}")

    bar.setRange(0, 1000)
    finished = [False]
    task = run_task(work).with_progress(progress)
    task.on_finished(lambda: finished.__setitem__(0, True))
    task.on_error(lambda exc: print("seal failed:", exc, file=sys.stderr))
    meter.start()
    t0 = time.perf_counter()
    task.start()
    _wait(app, finished)
    seconds = time.perf_counter() - t0
    result = meter.stop()
    result["seconds"] = seconds
    bar.close()
    label.close()
    return result


def age_in_subprocess(
    app: QApplication, meter: StallMeter, src: Path, out: Path, recipient: str
) -> dict[str, float]:
    meter.start()
    t0 = time.perf_counter()
    proc = subprocess.Popen(["age", "-r", recipient, "-o", str(out), str(src)])
    while proc.poll() is None:
        app.processEvents()
        time.sleep(0.0005)
    result = meter.stop()
    result["seconds"] = time.perf_counter() - t0
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from crypto import seal
    from crypto.ca import KeyType, Role, SandboxCA

    app = QApplication.instance() or QApplication([])
    meter = StallMeter()
    (REPO / "bench" / "out").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ui-stall-", dir=REPO / "bench" / "out"))
    try:
        src = work / "投标文件.bin"
        with src.open("wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(MiB))
        ca = SandboxCA.create()
        identity = ca.issue(
            role=Role.BIDDER,
            name="基准测试有限公司",
            org_code="91350100M000100Y43",
            key_type=KeyType.RSA2048,
        ).identity()
        age = shutil.which("age")
        recipient = ""
        if age and shutil.which("age-keygen"):
            keys = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
            recipient = next(x.split(": ")[1] for x in keys.splitlines() if "public key" in x)
        rows: dict[str, list[dict[str, float]]] = {"idle": [], "app": [], "age": [], "direct": []}
        for _ in range(args.repeat):
            rows["idle"].append(idle(app, meter, 2.0))
            out = work / "bid.sealbid"
            rows["app"].append(seal_in_app(app, meter, identity, src, out))
            out.unlink(missing_ok=True)
            if recipient:
                rows["age"].append(age_in_subprocess(app, meter, src, work / "x.age", recipient))
                (work / "x.age").unlink(missing_ok=True)
            t0 = time.perf_counter()
            seal([src], out, identity=identity, section="BENCH-01", summary={"price": "1.00"})
            rows["direct"].append({"seconds": time.perf_counter() - t0})
            out.unlink(missing_ok=True)

        def med(name: str, key: str) -> float:
            values = [r[key] for r in rows[name] if key in r]
            return statistics.median(values) if values else float("nan")

        print(
            f"GUI event-loop stall while sealing {args.size_mib} MiB ({args.repeat} rounds, medians)"
        )
        print(f"  idle loop (noise)        max stall {med('idle', 'max_stall_ms'):7.1f} ms")
        if recipient:
            print(
                f"  while age encrypts       max stall {med('age', 'max_stall_ms'):7.1f} ms   ({med('age', 'seconds'):.2f} s)"
            )
        print(
            f"  while the app seals      max stall {med('app', 'max_stall_ms'):7.1f} ms   p99 gap {med('app', 'p99_gap_ms'):.1f} ms   ({med('app', 'seconds'):.2f} s)"
        )
        worst = max(r["max_stall_ms"] for r in rows["app"])
        print(
            f"  worst round              max stall {worst:7.1f} ms   target ≤ 100 ms: {'met' if worst <= 100 else 'MISSED'}"
        )
        print(
            f"  ratio app/idle stall     {med('app', 'max_stall_ms') / max(med('idle', 'max_stall_ms'), 0.01):.1f}×"
        )
        print(
            f"  sealing in the app vs crypto.seal direct: {med('app', 'seconds'):.2f} s / {med('direct', 'seconds'):.2f} s = {med('app', 'seconds') / med('direct', 'seconds'):.2f}×"
        )
        if recipient:
            print(
                f"  sealing in the app vs age: {med('app', 'seconds') / med('age', 'seconds'):.2f}×"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
