"""The host's opening console (开标主持台) in the real app, live, while N bidders sign in and
release their keys: how late each event reaches the GUI and the screen, against curl.

    .venv/bin/python -m bench.opening_ui                      # 80 bidders
    .venv/bin/python -m bench.opening_ui --bidders 20         # a quick look
    .venv/bin/python -m bench.opening_ui --json               # the result as JSON on stdout

Three kinds of process, as at a real opening:

* the platform (``python -m sealbid server --sandbox``, real clock, SQLite in a temp folder:
  ``bench.opening.start_server``);
* the bidders (this module with ``--driver``): N sandbox bidder identities, a project and a
  section as the sandbox host, registration, one sealed bid per bidder submitted from a
  thread pool (``bench.opening``'s pieces, the deadline calibrated the same way); later, on
  the bench's word, all N sign in at once (``OpeningClient.signin``, one thread each) and,
  after the list and the window, all N release their keys at once (``OpeningClient.release``).
  They run in a process of their own so that their signing and unwrapping do not hold this
  process's GIL: the stall measured is the app's, not the bench's;
* this process: the app as the host has it — ``QApplication`` (offscreen), ``AppContext``
  (platform URL, zh_CN), ``MainWindow`` signed in with the host's identity, the operator page
  following the section (``OperatorPage.select_section``: its own ``OpeningFeed``). The host's
  steps (start, publish list, open the window, early close, announce) go from a worker thread
  through a separate ``PlatformClient`` of the host, as if a second host PC drove them. The
  peer, from the same moment: ``curl -sN`` on the same event stream with the same host's token,
  a reader thread stamping each event's arrival.

Measured, for every event after the console was fresh (seq > the last event shown then):

* event → GUI: ``time.time()`` when ``console.feed.eventReceived`` reached a slot connected
  after the console's own (so the console has logged it), minus the event's ``at`` (the
  platform's clock is this machine's: same host);
* event → screen: when ``console.feed.stateChanged`` first carried a state whose
  ``last_event`` ≥ seq (the slot runs after the console's ``_on_state`` has filled its labels
  and tables), minus ``at``. A state read begun for an earlier event may already include a
  later one, so this can be earlier than event → GUI;
* curl: arrival of the same event in curl's output, minus ``at``;
* state reads: calls of ``ui._opening_feed._read_state`` (wrapped) per event: the coalescing;
* GUI stall: ``bench.ui_stall.StallMeter`` (a 1 ms precise ``QTimer`` on the GUI thread; the
  longest gap − 1 ms) during the sign-in burst and the release burst (from the bench's word
  to the bidders until the screen shows the last event), and on the same app left idle for
  as many seconds (the noise baseline).

The GUI thread runs ``processEvents(WaitForMoreEvents)`` the whole time (a 10 ms heartbeat
timer wakes it), never sleeps: nothing of ours delays a queued signal. Prints medians, p95 and
ratios (app / curl); ``OUT/result.json`` always. Benchmarks are not tests: nothing here fails
on a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.opening import (
    API,
    OUT_DIR,
    REPO,
    BenchError,
    Person,
    SseParser,
    _event_head,
    calibrated_section,
    client_for,
    git_version,
    load_staff,
    make_bidders,
    pct,
    register_all,
    say,
    seal_and_submit,
    start_server,
    stop_server,
)
from client import wire
from client.opening import OpeningClient
from crypto._files import atomic_write
from crypto.ca import SandboxCA

# --- figures -------------------------------------------------------------------------------------


def ms(values: Sequence[float]) -> dict[str, Any]:
    """count, median, p95 and max, in ms, of values in seconds."""
    if not values:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    s = sorted(v * 1000 for v in values)
    return {
        "count": len(s),
        "p50": round(pct(s, 50), 1),
        "p95": round(pct(s, 95), 1),
        "max": round(s[-1], 1),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return round(a / b, 2)


# --- the bidders' process ------------------------------------------------------------------------


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _burst(bidders: list[Person], section_id: str, step: str) -> dict[str, Any]:
    """All bidders at once, one thread each: ``OpeningClient(client, sid).signin()/release()``."""
    errors: Counter[str] = Counter()

    def one(b: Person) -> float:
        assert b.client is not None
        t = time.perf_counter()
        try:
            getattr(OpeningClient(b.client, section_id), step)()
        except Exception as exc:  # counted; a bench keeps going
            errors[type(exc).__name__] += 1
        return time.perf_counter() - t

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(bidders), thread_name_prefix=step) as pool:
        each = list(pool.map(one, bidders))
    return {"wall_s": time.perf_counter() - t0, "each": ms(each), "errors": dict(errors)}


def drive(url: str, work: Path, n: int, workers: int) -> int:
    """``--driver``: set up the section and its bids, then sign in / release on command
    (one JSON line each way: commands on stdin, answers on stdout)."""
    data = work / "data"
    sandbox = json.loads((data / "sandbox.json").read_text("utf-8"))
    t = time.perf_counter()
    bidders = make_bidders(SandboxCA.load(data / "sandbox" / "ca"), n)
    staff = load_staff(sandbox)
    setup: dict[str, Any] = {"identities_s": round(time.perf_counter() - t, 2)}
    host = staff["host"]
    main, deadline, calibration = calibrated_section(
        url,
        work,
        host,
        bidders,
        prefix="BENCHUI",
        project_name=f"开标主持台基准测试项目（{n} 家投标人）",
        section_name=f"施工标段（{n} 家投标人，主持台基准测试）",
        state=work / "state-driver",
    )
    budget = calibration["deadline_budget_s"]
    say(f"driver: section {main.id}, deadline in {budget:.0f} s")
    t = time.perf_counter()
    register_all(url, host.token, main.id, bidders, workers)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda b: seal_and_submit(url, work, main, b), bidders))
    setup["register_seal_submit_s"] = round(time.perf_counter() - t, 2)
    say(f"driver: {n} bids in {setup['register_seal_submit_s']:.1f} s")
    if host.client is not None:
        host.client.close()
    _emit({"ready": True, "section_id": main.id, "deadline": deadline.timestamp(), "setup": setup})
    try:
        for line in sys.stdin:
            command = line.strip()
            if command in ("signin", "release"):
                _emit({"step": command, **_burst(bidders, main.id, command)})
            elif command == "quit":
                break
    finally:
        for b in bidders:
            if b.client is not None:
                b.client.close()
    return 0


class Driver:
    """The bidders' process, seen from the bench."""

    def __init__(self, url: str, work: Path, n: int, workers: int) -> None:
        cmd = [sys.executable, "-m", "bench.opening_ui", "--driver", url, str(work)]
        cmd += ["--bidders", str(n), "--workers", str(workers)]
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, name="driver-out", daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.answers.put(json.loads(line))
        self.answers.put(None)  # the driver ended

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def answer(self, timeout: float) -> dict[str, Any]:
        try:
            got = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise BenchError(f"the bidders' process did not answer in {timeout:.0f} s") from None
        if got is None:
            raise BenchError(f"the bidders' process ended (exit {self.proc.wait()})")
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# --- the peer: curl on the same stream -----------------------------------------------------------


class CurlPeer:
    """``curl -sN`` on the host's event stream; a thread stamps each event's arrival."""

    def __init__(self, url: str, token: str, section_id: str) -> None:
        cmd = ["curl", "-sN", "-H", f"Authorization: Bearer {token}"]
        cmd += ["-H", "Accept: text/event-stream", f"{url}{API}/openings/{section_id}/events"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.arrived: dict[int, tuple[float, float, str]] = {}  # seq → (arrival, at, kind)
        self.connected = threading.Event()
        self.last_seq = 0
        threading.Thread(target=self._read, name="curl-reader", daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        parser = SseParser()
        while chunk := os.read(fd, 1 << 16):
            now = time.time()
            self.connected.set()
            for ev in parser.feed(chunk):
                if ev.event == "tick":
                    continue
                seq, kind, at = _event_head(ev.data)
                self.arrived.setdefault(seq, (now, at, kind))
                self.last_seq = max(self.last_seq, seq)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- the app -------------------------------------------------------------------------------------


class Probe:
    """What the console's feed delivered and showed, stamped on the GUI thread."""

    def __init__(self) -> None:
        self.gui: dict[int, tuple[float, float, str]] = {}  # seq → (delivered, at, kind)
        self.screen: dict[int, float] = {}  # seq → first shown state with last_event ≥ seq
        self.shown_upto = 0
        self.last_state: wire.OpeningState | None = None
        self.states = 0

    def on_event(self, event: wire.OpeningEvent) -> None:
        self.gui.setdefault(event.seq, (time.time(), event.at.timestamp(), event.kind))

    def on_state(self, state: wire.OpeningState) -> None:
        now = time.time()
        self.states += 1
        self.last_state = state
        for seq in range(self.shown_upto + 1, state.last_event + 1):
            self.screen[seq] = now
        self.shown_upto = max(self.shown_upto, state.last_event)


class ReadCounter:
    """Wraps ``ui._opening_feed._read_state`` (looked up by name at each ``refresh``)."""

    def __init__(self) -> None:
        import ui._opening_feed as feed_module

        self.module = feed_module
        self.original = feed_module._read_state
        self.calls = 0
        self.seconds: list[float] = []
        self._lock = threading.Lock()

        def counted(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                with self._lock:
                    self.calls += 1
                    self.seconds.append(time.perf_counter() - t)

        feed_module._read_state = counted  # type: ignore[assignment]

    def restore(self) -> None:
        self.module._read_state = self.original  # type: ignore[assignment]


def pump_until(app: Any, done: Callable[[], bool], timeout: float, what: str) -> float:
    """Run the GUI event loop until ``done()``; the seconds it took."""
    from PySide6.QtCore import QEventLoop

    t0 = time.perf_counter()
    end = t0 + timeout
    while not done():
        if time.perf_counter() > end:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    return time.perf_counter() - t0


def pump_for(app: Any, seconds: float) -> None:
    end = time.perf_counter() + seconds
    pump_until(app, lambda: time.perf_counter() >= end, seconds + 5, "the idle loop")


# --- the run -------------------------------------------------------------------------------------


def run_round(args: argparse.Namespace, out_dir: Path, number: int) -> dict[str, Any]:
    """One whole opening on a fresh platform; this round's raw figures."""
    from PySide6.QtCore import QSettings, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.ui_stall import StallMeter
    from ui.context import AppContext
    from ui.errors import ErrorSink
    from ui.i18n import install_language
    from ui.mainwindow import MainWindow
    from ui.tasks import cancel_all

    n = args.bidders
    work = Path(tempfile.mkdtemp(prefix="opening-ui-", dir=OUT_DIR))
    proc: subprocess.Popen[bytes] | None = None
    driver: Driver | None = None
    curl: CurlPeer | None = None
    host: Person | None = None
    ctx: Any = None
    window: Any = None
    reads: ReadCounter | None = None
    app = QApplication.instance() or QApplication([])
    heartbeat = QTimer()
    heartbeat.start(10)  # WaitForMoreEvents wakes at least this often to look at done()
    meter = StallMeter()
    host_pool = ThreadPoolExecutor(1, thread_name_prefix="host")
    phases: dict[str, float] = {}
    setup: dict[str, Any] = {}
    try:
        say(f"round {number}: work dir {work}; starting the platform")
        proc, url = start_server(work, None)
        say(f"platform {url} (pid {proc.pid}); bidders' process: identities, section, {n} bids")
        driver = Driver(url, work, n, args.workers)
        ready = driver.answer(timeout=max(600.0, 5.0 * n))
        section_id: str = ready["section_id"]
        setup.update(ready["setup"])
        sandbox = json.loads((work / "data" / "sandbox.json").read_text("utf-8"))
        host = load_staff(sandbox)["host"]  # the bench's host (steps, the curl token)
        client_for(url, host, work / "state-bench")
        app_host = load_staff(sandbox)["host"]  # a separate Identity: the app owns and closes it
        slack = ready["deadline"] - time.time()
        say(f"section {section_id}: waiting {max(slack, 0):.1f} s for the deadline")
        if slack > 0:
            time.sleep(slack + 0.3)

        # The app, as the host has it.
        settings = QSettings(str(work / "app" / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("platform/mode", "url")
        settings.setValue("platform/url", url)
        settings.setValue("ui/language", "zh_CN")
        settings.sync()
        install_language(app, "zh_CN")
        sink = ErrorSink()
        sink.interactive = False
        ctx = AppContext(settings=settings, data_dir=work / "app" / "data", errors=sink)
        window = MainWindow(ctx)
        window.confirm_quit = False
        ctx.errors.interactive = False
        window.show()
        t = time.perf_counter()
        ctx.set_identity(app_host.identity, "bench host")
        pump_until(app, lambda: ctx.role == "host", 60, "the app to learn the host's role")
        window.navigate("operator")
        console = window.page("operator")
        # The console's own handling of each state (labels, the 80-row board …), timed on the
        # GUI thread: its slots call ``self._on_state`` by name, so the instance's copy is used.
        render_s: list[float] = []
        on_state = console._on_state

        def timed_on_state(*a: Any) -> None:
            t = time.perf_counter()
            try:
                on_state(*a)
            finally:
                render_s.append(time.perf_counter() - t)

        console._on_state = timed_on_state
        console.select_section(section_id)
        feed = console.feed
        probe = Probe()
        feed.eventReceived.connect(probe.on_event)  # after the console's own slots
        feed.stateChanged.connect(probe.on_state)
        curl = CurlPeer(url, host.token, section_id)  # the same moment as the feed
        pump_until(
            app,
            lambda: feed.state is not None and not feed.stale and curl.connected.is_set(),
            60,
            "a fresh console and curl connected",
        )
        phases["app_ready_s"] = round(time.perf_counter() - t, 2)
        baseline = max(probe.shown_upto, curl.last_seq, feed.state.last_event)
        say(f"console fresh in {phases['app_ready_s']:.2f} s (last event {baseline})")
        reads = ReadCounter()
        render_s.clear()
        opening = OpeningClient(host.client, section_id)  # type: ignore[arg-type]
        last_state: dict[str, wire.OpeningState] = {}

        def host_step(name: str, fn: Callable[[], wire.OpeningState]) -> None:
            """A host step in the worker, then wait until both curl and the console's screen
            have the platform's last event."""
            t = time.perf_counter()
            fut: Future[wire.OpeningState] = host_pool.submit(fn)
            pump_until(app, fut.done, 120, name)
            last_state["s"] = fut.result()
            settle(name)
            phases[name] = round(time.perf_counter() - t, 3)

        def settle(name: str) -> None:
            fut = host_pool.submit(opening.state)
            pump_until(app, fut.done, 60, f"{name}: the host's state")
            target = fut.result().last_event
            pump_until(
                app,
                lambda: probe.shown_upto >= target and curl.last_seq >= target,
                120,
                f"{name}: event {target} on the console and in curl",
            )

        def burst(step: str) -> dict[str, Any]:
            meter.start()
            t = time.perf_counter()
            driver.send(step)  # type: ignore[union-attr]
            answer: list[dict[str, Any]] = []

            def answered() -> bool:
                try:
                    answer.append(driver.answers.get_nowait())  # type: ignore[arg-type,union-attr]
                except queue.Empty:
                    return False
                return True

            pump_until(app, answered, 300, f"the {step} burst")
            if answer[0] is None:
                raise BenchError("the bidders' process ended")
            settle(step)
            seconds = time.perf_counter() - t
            stall = meter.stop()
            phases[f"{step}_burst"] = round(seconds, 3)
            say(f"{step} burst: {seconds:.2f} s, GUI stall {stall['max_stall_ms']:.1f} ms")
            return {"seconds": seconds, **stall, "driver": answer[0]}

        t_measure = time.perf_counter()
        host_step("start", lambda: opening.start())
        signin = burst("signin")
        host_step("publish_list", opening.publish_list)
        host_step("open_window", lambda: opening.open_window(30))
        release = burst("release")
        host_step("close", lambda: opening.close(early=True))
        host_step("announce", lambda: opening.announce())
        measured_s = time.perf_counter() - t_measure
        reads_during = reads.calls
        read_seconds = list(reads.seconds)
        render_seconds = list(render_s)
        say("idle baseline (the same app, nothing happening)")
        pump_for(app, 1.0)  # the platform finishes what the announce started
        idle: dict[str, dict[str, float]] = {}
        for step, b in (("signin", signin), ("release", release)):
            meter.start()
            pump_for(app, b["seconds"])
            idle[step] = meter.stop()
        final = probe.last_state
        errors_shown = list(ctx.errors.history)
    finally:
        if reads is not None:
            reads.restore()
        if curl is not None:
            curl.close()
        if driver is not None:
            driver.close()
        if window is not None:
            window.close()
            for _ in range(2):  # a finished read may start one more (deferred refresh)
                cancel_all()
                QThreadPool.globalInstance().waitForDone(60_000)
                app.processEvents()
        if ctx is not None:
            ctx.close()
        host_pool.shutdown(wait=True)
        if host is not None and host.client is not None:
            host.client.close()
        heartbeat.stop()
        log_text = stop_server(proc, work, out_dir / f"server-{number}.log")
        shutil.rmtree(work, ignore_errors=True)

    # --- this round's raw figures (seconds) ---
    seqs = sorted(s for s in curl.arrived if s > baseline)
    lat: dict[str, list[float]] = {"gui": [], "screen": [], "curl": [], "gui_minus_curl": []}
    by_kind: dict[str, dict[str, list[float]]] = {}
    for seq in seqs:
        arrival, at, kind = curl.arrived[seq]
        k = by_kind.setdefault(kind, {"gui": [], "screen": [], "curl": []})
        lat["curl"].append(arrival - at)
        k["curl"].append(arrival - at)
        if seq in probe.gui:
            lat["gui"].append(probe.gui[seq][0] - at)
            k["gui"].append(probe.gui[seq][0] - at)
            lat["gui_minus_curl"].append(probe.gui[seq][0] - arrival)
        if seq in probe.screen:
            lat["screen"].append(probe.screen[seq] - at)
            k["screen"].append(probe.screen[seq] - at)
    return {
        "setup": setup,
        "phases_s": phases,
        "events": len(seqs),
        "missing_gui": sum(1 for s in seqs if s not in probe.gui),
        "missing_screen": sum(1 for s in seqs if s not in probe.screen),
        "latency": lat,
        "by_kind": by_kind,
        "reads": reads_during,
        "read_seconds": read_seconds,
        "render_seconds": render_seconds,
        "states_shown": probe.states,
        "measured_s": measured_s,
        "bursts": {"signin": signin, "release": release},
        "idle": idle,
        "final_phase": final.phase if final is not None else None,
        "signed_in_shown": final.signed_in if final is not None else None,
        "errors_shown": errors_shown,
        "server_log_errors": sum(
            1 for line in log_text.splitlines() if "Traceback" in line or "ERROR" in line
        ),
    }


def summarize(n: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Latencies pooled over the rounds (every event of every round); the GUI stall and the
    state reads per event as the median over the rounds (each round's figure listed too)."""

    def pooled(get: Callable[[dict[str, Any]], list[float]]) -> list[float]:
        return [v for r in rounds for v in get(r)]

    def med(values: list[float], digits: int = 1) -> float:
        return round(statistics.median(values), digits)

    latency = {
        "event_to_gui": ms(pooled(lambda r: r["latency"]["gui"])),
        "event_to_screen": ms(pooled(lambda r: r["latency"]["screen"])),
        "curl": ms(pooled(lambda r: r["latency"]["curl"])),
    }
    kinds = sorted({k for r in rounds for k in r["by_kind"]})
    stalls: dict[str, Any] = {}
    for step in ("signin", "release"):
        burst = [r["bursts"][step]["max_stall_ms"] for r in rounds]
        idle = [r["idle"][step]["max_stall_ms"] for r in rounds]
        stalls[step] = {
            "burst_s": med([r["bursts"][step]["seconds"] for r in rounds], 2),
            "max_stall": med(burst),
            "worst_round": round(max(burst), 1),
            "p99_gap": med([r["bursts"][step]["p99_gap_ms"] for r in rounds], 2),
            "idle_max_stall": med(idle),
            "idle_p99_gap": med([r["idle"][step]["p99_gap_ms"] for r in rounds], 2),
            "ratio_burst_over_idle": ratio(statistics.median(burst), statistics.median(idle)),
            "rounds": [round(x, 1) for x in burst],
            "idle_rounds": [round(x, 1) for x in idle],
            "bidders_wall_s": med([r["bursts"][step]["driver"]["wall_s"] for r in rounds], 2),
            "bidder_each_ms_p50": med([r["bursts"][step]["driver"]["each"]["p50"] for r in rounds]),
            "bidder_errors": sum(
                sum(r["bursts"][step]["driver"]["errors"].values()) for r in rounds
            ),
        }
    per_event = [r["reads"] / r["events"] for r in rounds if r["events"]]
    return {
        "bench": "opening_ui",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": git_version(),
        "machine": {
            "python": sys.version.split()[0],
            "platform": pyplatform.platform(),
            "cpus": os.cpu_count(),
        },
        "bidders": n,
        "rounds": len(rounds),
        "events": sum(r["events"] for r in rounds),
        "events_missing": {
            "gui": sum(r["missing_gui"] for r in rounds),
            "screen": sum(r["missing_screen"] for r in rounds),
        },
        "latency_ms": latency,
        "gui_behind_curl_ms": ms(pooled(lambda r: r["latency"]["gui_minus_curl"])),
        "latency_by_kind_ms": {
            kind: {
                key: ms(pooled(lambda r, k=kind, x=key: r["by_kind"].get(k, {}).get(x, [])))
                for key in ("gui", "screen", "curl")
            }
            for kind in kinds
        },
        "ratios_app_over_curl": {
            "event_to_gui_p50": ratio(latency["event_to_gui"]["p50"], latency["curl"]["p50"]),
            "event_to_screen_p50": ratio(latency["event_to_screen"]["p50"], latency["curl"]["p50"]),
            "event_to_gui_p95": ratio(latency["event_to_gui"]["p95"], latency["curl"]["p95"]),
            "event_to_screen_p95": ratio(latency["event_to_screen"]["p95"], latency["curl"]["p95"]),
        },
        "state_reads": {
            "reads": [r["reads"] for r in rounds],
            "events": [r["events"] for r in rounds],
            "per_event": round(statistics.median(per_event), 3) if per_event else None,
            "states_shown": [r["states_shown"] for r in rounds],
            "read_ms": ms(pooled(lambda r: r["read_seconds"])),
            "console_on_state_ms": ms(pooled(lambda r: r["render_seconds"])),
        },
        "gui_stall_ms": stalls,
        "per_round": [
            {
                "setup": r["setup"],
                "phases_s": r["phases_s"],
                "events": r["events"],
                "final_phase": r["final_phase"],
                "signed_in_shown": r["signed_in_shown"],
                "errors_shown": r["errors_shown"],
                "server_log_errors": r["server_log_errors"],
                "bidder_errors": {
                    step: r["bursts"][step]["driver"]["errors"] for step in ("signin", "release")
                },
            }
            for r in rounds
        ],
    }


def human(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"opening console (GUI) bench: {r['bidders']} bidders, {r['rounds']} round(s), "
        f"{r['events']} events measured; {m['cpus']} CPUs, Python {m['python']}, "
        f"code {r['code']}",
        "latency from the event's `at`, all rounds (ms)   median      p95      max    count",
    ]
    names = {
        "event_to_gui": "event → GUI (feed signal)",
        "event_to_screen": "event → screen (state shown)",
        "curl": "peer: curl arrival",
    }
    for key, label in names.items():
        s = r["latency_ms"][key]
        if s["count"]:
            lines.append(
                f"  {label:44s} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f} {s['count']:8d}"
            )
    b = r["gui_behind_curl_ms"]
    if b["count"]:
        lines.append(
            f"  {'GUI − curl arrival, same event':44s} {b['p50']:8.1f} {b['p95']:8.1f}"
            f" {b['max']:8.1f}"
        )
    lines.append("  by kind, median (p95) ms:    GUI            screen          curl")
    for kind, d in r["latency_by_kind_ms"].items():
        cells = "".join(
            f"{d[x]['p50']!s:>7} ({d[x]['p95']!s:>6}) " for x in ("gui", "screen", "curl")
        )
        lines.append(f"    {kind:10s} n={d['curl']['count']:4d}  {cells}".rstrip())
    ra = r["ratios_app_over_curl"]
    lines.append(
        f"ratios app/curl: median GUI {ra['event_to_gui_p50']}×, screen "
        f"{ra['event_to_screen_p50']}×; p95 GUI {ra['event_to_gui_p95']}×, screen "
        f"{ra['event_to_screen_p95']}×"
    )
    sr = r["state_reads"]
    lines.append(
        f"state reads per event (median of rounds): {sr['per_event']} (reads {sr['reads']} for "
        f"events {sr['events']}; a read: median {sr['read_ms']['p50']} ms, p95 "
        f"{sr['read_ms']['p95']} ms)"
    )
    rs = sr["console_on_state_ms"]
    lines.append(
        f"console's own handling of a state on the GUI thread: median {rs['p50']} ms, p95 "
        f"{rs['p95']} ms, max {rs['max']} ms ({rs['count']} states)"
    )
    for step, st in r["gui_stall_ms"].items():
        lines.append(
            f"GUI stall, {step} burst ({st['burst_s']} s; bidders' wall {st['bidders_wall_s']} s,"
            f" errors {st['bidder_errors']}): max {st['max_stall']} ms (rounds {st['rounds']}),"
            f" p99 gap {st['p99_gap']} ms"
        )
        lines.append(
            f"    idle app, same seconds: max {st['idle_max_stall']} ms (rounds "
            f"{st['idle_rounds']}); burst/idle {st['ratio_burst_over_idle']}×"
        )
    for i, pr in enumerate(r["per_round"], 1):
        lines.append(
            f"round {i}: phases (s) "
            + ", ".join(f"{k} {v}" for k, v in pr["phases_s"].items())
            + f"; final phase {pr['final_phase']}, signed in {pr['signed_in_shown']}, errors"
            f" shown {len(pr['errors_shown'])}, server log errors {pr['server_log_errors']}"
        )
    miss = r["events_missing"]
    lines.append(f"events missing on the GUI {miss['gui']}, on the screen {miss['screen']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.opening_ui",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    ap.add_argument("--bidders", type=int, default=80, help="number of bidders (at least 3)")
    ap.add_argument("--out", help="folder for result.json (default bench/out/opening-ui)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    ap.add_argument(
        "--rounds", type=int, default=3, help="whole openings, each on a fresh platform"
    )
    ap.add_argument("--workers", type=int, default=8, help="threads that seal and submit bids")
    ap.add_argument("--driver", nargs=2, metavar=("URL", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.driver:
        return drive(args.driver[0], Path(args.driver[1]), args.bidders, args.workers)
    if args.bidders < 3:
        ap.error("--bidders: at least 3 (fewer bids make the opening fail, 流标)")
    if shutil.which("curl") is None:
        ap.error("curl is needed for the peer")
    out_dir = Path(args.out or OUT_DIR / "opening-ui")
    out_dir.mkdir(parents=True, exist_ok=True)
    rounds = []
    try:
        for number in range(1, args.rounds + 1):
            rounds.append(run_round(args, out_dir, number))
    except BenchError as exc:
        say(f"failed: {exc}")
        if not rounds:
            return 1
        say(f"the figures of the {len(rounds)} round(s) done")
    result = summarize(args.bidders, rounds)
    atomic_write(out_dir / "result.json", json.dumps(result, ensure_ascii=False, indent=2).encode())
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(human(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
