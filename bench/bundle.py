"""The bundle (``make bundle``, build.spec): its size, the cold start to a usable window and the
memory after the start, against the same app run from the sources in the same command.

    .venv/bin/python bench/bundle.py                 # dist/sealbid, 5 rounds each
    .venv/bin/python bench/bundle.py --rounds 9 --bundle /path/to/sealbid

"Usable window": the app (offscreen) has started the embedded sandbox platform and shown its
login dialog; ``SEALBID_SMOKE_TEST=1`` prints "SealBid ready" at that moment and quits. Each
round is a new process; the first run of each kind seeds a fresh data folder (the sandbox's
keys and certificates: the newcomer's first start), the others reuse it (an everyday start).
Memory: the process's peak resident set (``wait4``), which for this run is its size with the
window up. Peer: ``python -m sealbid`` from the sources (the venv's interpreter), the same way.
Prints medians and ratios; never fails on a figure.
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

REPO = Path(__file__).resolve().parent.parent


def _size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
            files += 1
    return total, files


def _packed(folder: Path) -> int:
    """The bundle as a compressed archive (what a download would be, roughly)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = shutil.make_archive(str(Path(tmp) / "b"), "gztar", folder.parent, folder.name)
        return Path(archive).stat().st_size


def _start(cmd: list[str], data: Path) -> tuple[float, float]:
    """Seconds to "SealBid ready", peak RSS in MiB."""
    env = {**os.environ, "SEALBID_SMOKE_TEST": "1", "QT_QPA_PLATFORM": "offscreen"}
    env["SEALBID_DATA_DIR"] = str(data)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    ready = None
    for line in proc.stdout:
        if line.startswith(b"SealBid ready"):
            ready = time.perf_counter() - t
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if ready is None or proc.returncode != 0:
        raise SystemExit(f"{cmd[0]}: no ready line (exit {proc.returncode})")
    return ready, usage.ru_maxrss / 1024  # Linux: KiB


def _series(cmd: list[str], rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        first, first_rss = _start(cmd, data)
        runs = [_start(cmd, data) for _ in range(rounds)]
    return {
        "first_start_s": round(first, 2),
        "first_start_rss_mib": round(first_rss, 1),
        "start_s_median": round(statistics.median(r[0] for r in runs), 2),
        "start_s_min": round(min(r[0] for r in runs), 2),
        "rss_mib_median": round(statistics.median(r[1] for r in runs), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "sealbid")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    exe = args.bundle / ("sealbid.exe" if os.name == "nt" else "sealbid")
    if not exe.exists():
        print(f"{exe} not found: make bundle first", file=sys.stderr)
        return 1
    size, files = _size(args.bundle)
    packed = _packed(args.bundle)
    print(f"bundle {args.bundle}: {size / 2**20:.0f} MiB in {files} files,"
          f" {packed / 2**20:.0f} MiB as .tar.gz")  # fmt: skip
    bundle = _series([str(exe)], args.rounds)
    source = _series([sys.executable, "-m", "sealbid"], args.rounds)
    for name, r in (("bundle", bundle), ("sources", source)):
        print(
            f"{name:8} first start (seeds the sandbox) {r['first_start_s']:.2f} s,"
            f" {r['first_start_rss_mib']:.0f} MiB; start to the login window: median"
            f" {r['start_s_median']:.2f} s (best {r['start_s_min']:.2f} s), memory"
            f" {r['rss_mib_median']:.0f} MiB"
        )
    print(
        f"bundle / sources: start {bundle['start_s_median'] / source['start_s_median']:.2f}x,"
        f" memory {bundle['rss_mib_median'] / source['rss_mib_median']:.2f}x"
        f" ({args.rounds} rounds each, medians)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
