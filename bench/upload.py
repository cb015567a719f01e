"""Upload throughput over loopback: the SealBid client against curl, same file, same server.

    .venv/bin/python bench/upload.py                      # 1 GiB bid, 3 rounds
    .venv/bin/python bench/upload.py --size-mib 256 --repeat 5

The platform runs as its own process (``python -m server --sandbox``) on 127.0.0.1. One sealed
bid of the given size is made for a sandbox bidder; then, round by round (the order alternating
so machine noise hits both alike), it is submitted

* by ``PlatformClient.submit`` (hash, create, PATCH chunks with checksums, finish, receipt), and
* by ``curl``: the same PATCH protocol with the same chunk size and ``Upload-Checksum``
  headers, all chunks in one ``curl`` process over one connection (``--next``), the upload
  created and finished with two small HTTP calls around it.

Printed per round and as medians: the transfer phase (first PATCH sent to last PATCH answered)
in MiB/s for both and the ratio client/curl (the issue's target: at least 0.8), the whole
submission for both (finish includes the platform verifying the bid, the same work for both),
and the server's peak RSS (VmHWM) and the bench process's own. Figures go to
``bench/out/upload-<size>.json``. Benchmarks are not tests: nothing here fails on a figure.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform as pyplatform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from client import PlatformClient, wire  # noqa: E402 - after the path set-up above
from crypto import load_identity  # noqa: E402

OUT_DIR = REPO / "bench" / "out"
MiB = 1 << 20
TARGET = 0.8


@dataclass
class Round:
    tool: str
    round: int
    transfer_s: float
    total_s: float
    finish_s: float


class _Timing(httpx.HTTPTransport):
    """The real transport, noting when the first PATCH starts and the last one is answered."""

    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None
        self.last: float | None = None
        self.finish_start: float | None = None
        self.finish_end: float | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and self.first is None:
            self.first = time.perf_counter()
        finishing = request.url.path.endswith("/finish")
        if finishing:
            self.finish_start = time.perf_counter()
        response = super().handle_request(request)
        if request.method == "PATCH":
            self.last = time.perf_counter()
        if finishing:
            response.read()
            self.finish_end = time.perf_counter()
        return response


def _vm(pid: int, key: str) -> int:
    """A VmXXX line of /proc/PID/status in KiB (Linux), or -1."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = work / "ready"
    ready.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "server", "--data", str(work / "platform"), "--sandbox"]
    cmd += ["--host", "127.0.0.1", "--port", "0", "--ready-file", str(ready)]
    cmd += ["--log-level", "warning"]
    with open(work / "server.log", "wb") as log:  # the child has its own copy of the fd
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the platform did not start: {(work / 'server.log').read_text()}")
        time.sleep(0.05)
    url = ready.read_text().strip()
    while True:
        try:
            if httpx.get(url + wire.API_PREFIX + "/time").status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)


def make_input(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 16 * MiB)
            f.write(os.urandom(n))
            left -= n


def run_client(url: str, identity: Any, section: str, bid: Path, state: Path) -> Round:
    timing = _Timing()
    with PlatformClient(
        base_url=url, identity=identity, state_dir=state, transport=timing
    ) as client:
        client.login()
        t0 = time.perf_counter()
        client.submit(section, bid)
        total = time.perf_counter() - t0
    assert timing.first and timing.last and timing.finish_start and timing.finish_end
    return Round(
        "sealbid",
        0,
        timing.last - timing.first,
        total,
        timing.finish_end - timing.finish_start,
    )


def run_curl(
    url: str, token: str, section: str, bid: Path, parts: list[tuple[int, Path, str]]
) -> Round:
    api = url + wire.API_PREFIX
    auth = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    h = hashlib.sha256()
    with open(bid, "rb") as f:
        while block := f.read(MiB):
            h.update(block)
    size = bid.stat().st_size
    with httpx.Client(timeout=600) as http:
        created = http.post(
            f"{api}/sections/{section}/uploads",
            headers=auth,
            json={"length": size, "sha256": h.hexdigest()},
        )
        created.raise_for_status()
        upload = wire.Upload.model_validate_json(created.content)
        target = f"{api}/uploads/{upload.id}"
        cmd = ["curl", "-sS", "--fail-with-body", "-o", "/dev/null", "-w", "%{http_code}\\n"]
        for i, (offset, part, checksum) in enumerate(parts):
            if i:
                cmd += ["--next", "-sS", "--fail-with-body", "-o", "/dev/null"]
                cmd += ["-w", "%{http_code}\\n"]
            cmd += ["-X", "PATCH", "-H", f"Authorization: Bearer {token}", "-H", "Expect:"]
            cmd += ["-H", f"Content-Type: {wire.OFFSET_CONTENT_TYPE}"]
            cmd += ["-H", f"{wire.HEADER_OFFSET}: {offset}"]
            cmd += ["-H", f"{wire.HEADER_CHECKSUM}: sha256 {checksum}"]
            cmd += ["--data-binary", f"@{part}", target]
        t1 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        t2 = time.perf_counter()
        codes = done.stdout.split()
        if done.returncode != 0 or set(codes) != {"204"} or len(codes) != len(parts):
            raise SystemExit(f"curl failed ({done.returncode}): {done.stderr[-500:]} {codes[-3:]}")
        finished = http.post(f"{target}/finish", headers=auth)
        t3 = time.perf_counter()
        finished.raise_for_status()
    return Round("curl", 0, t2 - t1, t3 - t0, t3 - t2)


def split(bid: Path, chunk: int, folder: Path) -> list[tuple[int, Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    with open(bid, "rb") as f:
        offset = 0
        while data := f.read(chunk):
            part = folder / f"part-{offset:012d}"
            part.write_bytes(data)
            digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
            parts.append((offset, part, digest))
            offset += len(data)
    return parts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is not installed")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="upload-", dir=OUT_DIR))
    work.mkdir(parents=True, exist_ok=True)
    size = args.size_mib * MiB
    proc, url = start_server(work)
    try:
        sandbox = json.loads((work / "platform" / "sandbox.json").read_text("utf-8"))
        entry = next(i for i in sandbox["identities"] if i["role"] == "bidder")
        password = Path(entry["password_file"]).read_text("utf-8").splitlines()[0].encode()
        identity = load_identity(Path(entry["p12"]), password=password)
        # The section whose deadline is furthest away: the rounds must not race it.
        section_id = max(sandbox["sections"], key=lambda s: s["deadline"])["id"]
        with PlatformClient(base_url=url, identity=identity, state_dir=work / "s0") as c:
            section = c.section(section_id)
            token = c.login().token
        print(f"platform {url}, section {section_id}, bid {args.size_mib} MiB", flush=True)
        make_input(work / "input.bin", size)
        bid = work / "bid.sealbid"
        seal = [sys.executable, "-m", "sealbid", "seal", "--identity", entry["p12"]]
        seal += ["--password-file", entry["password_file"], "--section", section_id]
        seal += ["--tender-version", section.tender_version or ""]
        seal += ["--opening-time", section.opening_time.isoformat(), "-o", str(bid)]
        subprocess.run([*seal, str(work / "input.bin")], check=True, capture_output=True)
        (work / "input.bin").unlink()
        bid_size = bid.stat().st_size
        parts = split(bid, 8 * MiB, work / "parts")
        rounds: list[Round] = []
        for r in range(1, args.repeat + 1):
            order = ("sealbid", "curl") if r % 2 else ("curl", "sealbid")
            for tool in order:
                if tool == "sealbid":
                    one = run_client(url, identity, section_id, bid, work / f"state-{r}")
                else:
                    one = run_curl(url, token, section_id, bid, parts)
                one.round = r
                rounds.append(one)
                mibs = bid_size / MiB / one.transfer_s
                print(
                    f"round {r} {tool:8s} transfer {one.transfer_s:6.2f} s {mibs:8.1f} MiB/s"
                    f"   whole submission {one.total_s:6.2f} s (finish {one.finish_s:5.2f} s)",
                    flush=True,
                )
        server_hwm = _vm(proc.pid, "VmHWM")
        server_rss = _vm(proc.pid, "VmRSS")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    def median(tool: str, attr: str) -> float:
        return float(statistics.median(getattr(x, attr) for x in rounds if x.tool == tool))

    ours, theirs = median("sealbid", "transfer_s"), median("curl", "transfer_s")
    ratio = theirs / ours
    whole = median("curl", "total_s") / median("sealbid", "total_s")
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print()
    print(f"transfer, median: sealbid {bid_size / MiB / ours:.1f} MiB/s, curl "
          f"{bid_size / MiB / theirs:.1f} MiB/s, ratio {ratio:.2f} "
          f"({'PASS' if ratio >= TARGET else 'MISS'} target >= {TARGET})")  # fmt: skip
    print(f"whole submission, median: sealbid {median('sealbid', 'total_s'):.2f} s, curl "
          f"{median('curl', 'total_s'):.2f} s, ratio {whole:.2f}")  # fmt: skip
    print(f"server peak RSS (VmHWM) {server_hwm / 1024:.0f} MiB, RSS now "
          f"{server_rss / 1024:.0f} MiB; bench process peak RSS {own_peak / 1024:.0f} MiB")  # fmt: skip
    result = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"python": sys.version.split()[0], "platform": pyplatform.platform()},
        "bid_bytes": bid_size,
        "rounds": [asdict(x) for x in rounds],
        "transfer_ratio": ratio,
        "whole_ratio": whole,
        "server_vmhwm_kib": server_hwm,
        "bench_maxrss_kib": own_peak,
    }
    out = OUT_DIR / f"upload-{args.size_mib}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
