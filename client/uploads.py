"""Resumable submission: upload state that survives a restart, and the retry policy.

The protocol is tus-like (docs/protocol.md, "Submission"): create → PATCH chunks at an offset
with a chunk checksum → HEAD for the offset → finish. What the server has durably is the only
truth about progress, so after any fault the client asks (HEAD) and continues from there; the
state kept on disk is just enough to find the same upload again after the app restarts::

    store = UploadStateStore(state_dir / "uploads")
    state = store.load(base_url=url, cert_sha256=fp, section_id="S-001")   # or None
    store.save(state)                                                       # atomic
    store.remove(state)

    policy = RetryPolicy(attempts=7, initial=0.5, cap=10.0)
    policy.delay(3)          # seconds before the 3rd consecutive retry: exponential, capped

The upload loop itself lives in ``client.platform`` (``PlatformClient.submit``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crypto._files import atomic_write, remove_quietly

from .errors import UploadStateError

__all__ = ["RetryPolicy", "UploadState", "UploadStateStore", "default_state_dir"]

log = logging.getLogger(__name__)

_STATE_VERSION = 1


def default_state_dir() -> Path:
    """Where the client keeps upload state and receipts for this user.

    ``$SEALBID_STATE_DIR`` when set; else the platform's per-user application-data folder:
    ``%LOCALAPPDATA%\\SealBid`` on Windows, ``~/Library/Application Support/SealBid`` on macOS,
    ``$XDG_STATE_HOME/sealbid`` (``~/.local/state/sealbid``) elsewhere.
    """
    explicit = os.environ.get("SEALBID_STATE_DIR")
    if explicit:
        return Path(explicit)
    home = Path.home()
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "SealBid" if base else home / "AppData" / "Local" / "SealBid"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "SealBid"
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else home / ".local" / "state") / "sealbid"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed network step is retried.

    A retry follows a dropped connection, a timeout, a 5xx answer or a 429. The count is of
    *consecutive* failures: any progress (a chunk the server accepted) starts it again, so a
    long upload over a flaky line keeps going while a dead platform fails after ``attempts``.
    """

    attempts: int = 7
    """Consecutive failures tolerated before the error is raised (the default waits about
    half a minute in all before giving up; an upload keeps its state and resumes later)."""
    initial: float = 0.5
    """Seconds before the first retry."""
    factor: float = 2.0
    """Growth of the delay per further consecutive failure."""
    cap: float = 10.0
    """The longest delay, in seconds."""
    jitter: float = 0.25
    """Up to this fraction of the delay is taken off at random, so clients that lost the
    platform together do not come back in lockstep."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    """How to wait (tests pass a recorder)."""

    def delay(self, failures: int) -> float:
        """Seconds to wait before retrying after ``failures`` consecutive failures (≥ 1)."""
        base = min(self.cap, self.initial * self.factor ** max(0, failures - 1))
        return base * (1.0 - self.jitter * random.random())  # noqa: S311 - jitter, not crypto

    def wait(self, failures: int) -> None:
        self.sleep(self.delay(failures))


@dataclass(frozen=True)
class UploadState:
    """What is needed to find an unfinished upload again after the app restarts."""

    base_url: str
    """The platform (normalised base URL)."""
    cert_sha256: str
    """The bidder's signing certificate: another user of the same PC has its own uploads."""
    section_id: str
    upload_id: str
    """The platform's id of the upload (``wire.Upload.id``)."""
    file_path: str
    """The file being sent, as given (shown to the user when resuming)."""
    file_size: int
    file_sha256: str
    """SHA-256 of the whole file, as announced at create: a changed file is a new upload."""
    chunk_max: int
    """Bytes per PATCH the platform allows."""
    version: int = _STATE_VERSION


class UploadStateStore:
    """One JSON file per (platform, bidder certificate, section), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, *, base_url: str, cert_sha256: str, section_id: str) -> Path:
        key = hashlib.sha256(f"{base_url}\n{cert_sha256}\n{section_id}".encode()).hexdigest()
        return self.root / f"{key[:32]}.json"

    def load(self, *, base_url: str, cert_sha256: str, section_id: str) -> UploadState | None:
        """The saved state, or None. A damaged state file is set aside (never fatal: the
        server's offset is the truth, and at worst the upload starts over)."""
        path = self.path_for(base_url=base_url, cert_sha256=cert_sha256, section_id=section_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UploadStateError(what=f"{path}: {exc.strerror}") from exc
        try:
            data: Any = json.loads(raw)
            if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
                raise ValueError("unknown state version")
            state = UploadState(**data)
            if (state.base_url, state.cert_sha256, state.section_id) != (
                base_url,
                cert_sha256,
                section_id,
            ):
                raise ValueError("state for another upload")
        except (ValueError, TypeError) as exc:
            log.warning("upload state %s is unusable (%s); starting over", path, exc)
            remove_quietly(path)
            return None
        return state

    def save(self, state: UploadState) -> None:
        path = self.path_for(
            base_url=state.base_url, cert_sha256=state.cert_sha256, section_id=state.section_id
        )
        body = json.dumps(asdict(state), ensure_ascii=False, indent=2).encode() + b"\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, body, private=True)
        except OSError as exc:
            raise UploadStateError(what=f"{path}: {exc.strerror}") from exc

    def remove(self, state: UploadState) -> None:
        remove_quietly(
            self.path_for(
                base_url=state.base_url,
                cert_sha256=state.cert_sha256,
                section_id=state.section_id,
            )
        )
