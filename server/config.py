"""The platform's settings: one frozen value, built once and handed to :func:`server.create_app`.

    config = Config(data_dir=Path("platform-data"))            # SQLite in platform-data/
    config = Config(data_dir=d, db_url="postgresql+psycopg://u@/sealbid?host=/run/postgresql")
    app = create_app(config)

The clock is injectable so tests can move the platform's time (deadlines are decided by it
alone, never by a client's clock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sealbid.errors import UsageError

__all__ = ["Config", "utc_now"]


def utc_now() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Config:
    """Everything the platform needs to start."""

    data_dir: Path
    """Folder for the SQLite database, the bid store, uploads and (sandbox) identities."""

    db_url: str | None = None
    """SQLAlchemy URL; ``None`` means SQLite at ``data_dir/platform.db``. PostgreSQL is
    ``postgresql+psycopg://user@host/db``."""

    platform_id: str = "sealbid-sandbox"
    """Signed into every login challenge and receipt: a signature for one platform does not
    work on another."""

    platform_name: str = "SealBid 参考交易平台（沙箱）"
    """Shown to users."""

    receipt_identity: Path | None = None
    """PKCS#12 file of the receipt-signing identity; ``None`` means ``data_dir/platform.p12``."""

    receipt_password_file: Path | None = None
    """File holding that PKCS#12 password (one line, UTF-8); ``None`` means
    ``data_dir/platform.password``."""

    clock: Callable[[], datetime] = field(default=utc_now, compare=False)
    """The platform's clock (timezone-aware). The only clock that decides deadlines."""

    sandbox: bool = False
    """Seed the demo (sandbox CA, identities, projects, sections) on first start."""

    chunk_max: int = 8 << 20
    """Largest PATCH body accepted, bytes."""

    max_bid_size: int = 64 << 30
    """Largest sealed-bid file an upload may announce, bytes (``UploadCreate.length``)."""

    max_open_uploads: int = 1
    """Open uploads a bidder may have per section: creating one more ends the oldest (so a
    client starting over leaves no partial files behind)."""

    upload_ttl: timedelta = timedelta(days=2)
    """How long an unfinished upload may be resumed."""

    token_ttl: timedelta = timedelta(minutes=30)
    """Bearer token lifetime (at most 30 minutes)."""

    challenge_ttl: timedelta = timedelta(minutes=2)
    """Login nonce lifetime (at most 2 minutes); also the tolerated skew of the signed time."""

    event_tick: float = 5.0
    """Seconds of quiet after which an opening's event stream sends a ``tick`` (server time,
    phase, window end): the hall's countdown and the client's sign of a live connection."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).absolute())
        if self.token_ttl > timedelta(minutes=30) or self.token_ttl <= timedelta(0):
            raise UsageError(what="token_ttl must be within 30 minutes")
        if self.challenge_ttl > timedelta(minutes=2) or self.challenge_ttl <= timedelta(0):
            raise UsageError(what="challenge_ttl must be within 2 minutes")
        if not 0 < self.event_tick <= 60:
            raise UsageError(what="event_tick must be within (0, 60] seconds")
        if self.chunk_max < 1:
            raise UsageError(what="chunk_max must be positive")
        if self.max_open_uploads < 1:
            raise UsageError(what="max_open_uploads must be positive")
        if not 0 < self.max_bid_size < 1 << 62:
            raise UsageError(what="max_bid_size must be positive and below 2**62")

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'platform.db'}"

    @property
    def receipt_identity_path(self) -> Path:
        return self.receipt_identity or self.data_dir / "platform.p12"

    @property
    def receipt_password_path(self) -> Path:
        return self.receipt_password_file or self.data_dir / "platform.password"

    def now(self) -> datetime:
        """The platform clock's reading, in UTC."""
        t = self.clock()
        if t.tzinfo is None:
            raise UsageError(what="the clock must return timezone-aware datetimes")
        return t.astimezone(UTC)
