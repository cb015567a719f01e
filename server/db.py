"""The platform's tables (SQLAlchemy Core) and transactions, on SQLite or PostgreSQL.

    db = Database.open(config.database_url)        # creates the tables on first use
    with db.write() as conn:                        # one transaction; serialised writers
        conn.execute(t.projects.insert().values(...))
    with db.read() as conn:
        rows = conn.execute(select(t.projects)).all()

SQLite runs in WAL mode with ``synchronous=FULL`` (a commit that answered is on disk, which every
receipt depends on), foreign keys on, and write transactions opened with ``BEGIN IMMEDIATE`` so
two writers never deadlock on a lock upgrade. On PostgreSQL writers serialise on row locks
(``SELECT … FOR UPDATE`` of the section row and of the audit head) taken in that order.

Times are stored as integer microseconds since the Unix epoch (UTC): exact, portable, ordered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)

from sealbid.errors import SealBidError, UsageError

__all__ = ["Database", "DatabaseUnavailable", "UTCTime", "metadata"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UTCTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as microseconds since the epoch (UTC)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise TypeError("naive datetime")  # a programming error, never user input
        return (value - _EPOCH) // timedelta(microseconds=1)

    def process_result_value(self, value: int | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return _EPOCH + timedelta(microseconds=int(value))


metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

trusted_cas = Table(
    "trusted_cas",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("pem", Text, nullable=False),
    Column("added_at", UTCTime, nullable=False),
)

# Bidders are keyed by their unified social credit code (so a renewed certificate keeps the
# account); everyone else by the certificate subject DN (RFC 4514 string).
accounts = Table(
    "accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("key_kind", String(10), nullable=False),  # "org" | "dn"
    Column("key", String(1000), nullable=False),
    Column("name", String(500), nullable=False),
    Column("org_code", String(18)),
    Column("created_at", UTCTime, nullable=False),
    # Staff ("dn") accounts: SHA-256 of the trusted CA certificate that issued the account's
    # certificate; a certificate with the same DN from another trusted CA is not this account.
    Column("issuer_sha256", String(64)),
    UniqueConstraint("key_kind", "key", name="accounts_key"),
)

challenges = Table(
    "challenges",
    metadata,
    Column("nonce_sha256", String(64), primary_key=True),
    Column("issued_at", UTCTime, nullable=False),
    Column("expires_at", UTCTime, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("cert_sha256", String(64), nullable=False),
    Column("created_at", UTCTime, nullable=False),
    Column("expires_at", UTCTime, nullable=False),
)

projects = Table(
    "projects",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("code", String(200), nullable=False, unique=True),
    Column("name", String(500), nullable=False),
    Column("sector", String(100), nullable=False),
    Column("created_at", UTCTime, nullable=False),
)

sections = Table(
    "sections",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("project_id", String(100), ForeignKey("projects.id"), nullable=False),
    Column("code", String(200), nullable=False),
    Column("name", String(500), nullable=False),
    Column("deadline", UTCTime, nullable=False),
    Column("opening_time", UTCTime, nullable=False),
    Column("form", Text, nullable=False),  # wire.SummaryForm as JSON
    Column("trusted_ca_pem", Text, nullable=False),
    Column("doc_version", Integer, nullable=False, default=0),
    Column("tender_version", String(64)),
    # The head of the section's receipt chain: last sequence and SHA-256 of its receipt.
    Column("receipt_seq", Integer, nullable=False, default=0),
    Column("receipt_head", String(64), nullable=False, default="0" * 64),
    Column("created_at", UTCTime, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("section_id", String(100), ForeignKey("sections.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(1000), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("published_at", UTCTime, nullable=False),
)

section_bidders = Table(
    "section_bidders",
    metadata,
    Column("section_id", String(100), ForeignKey("sections.id"), nullable=False),
    Column("org_code", String(18), nullable=False),
    Column("name", String(500), nullable=False),
    Column("registered_at", UTCTime, nullable=False),
    PrimaryKeyConstraint("section_id", "org_code"),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("section_id", String(100), ForeignKey("sections.id"), nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    # The durable offset: bytes of the .part file that were fsynced before this was updated.
    Column("durable_offset", BigInteger, nullable=False, default=0),
    Column("state", String(20), nullable=False),  # open | finished | abandoned | expired
    Column("created_at", UTCTime, nullable=False),
    Column("expires_at", UTCTime, nullable=False),
    Column("submission_id", String(40)),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("section_id", String(100), ForeignKey("sections.id"), nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("upload_id", String(40), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("received_at", UTCTime, nullable=False),
    Column("status", String(20), nullable=False),  # current | superseded | withdrawn
    Column("receipt_seq", Integer, nullable=False),
    Index("submissions_sha", "file_sha256"),
    Index("submissions_owner", "section_id", "account_id"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("section_id", String(100), ForeignKey("sections.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("submission_id", String(40)),
    Column("receipt", Text, nullable=False),  # canonical JSON, the signed bytes (UTF-8)
    Column("receipt_sha256", String(64), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("created_at", UTCTime, nullable=False),
    PrimaryKeyConstraint("section_id", "sequence"),
    Index("receipts_owner", "account_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(1000), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(1000), nullable=False),
    Column("data", Text, nullable=False),  # canonical JSON
    Column("prev_sha256", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
)

# One row: the audit chain's head. Locked FOR UPDATE by every append, so appends serialise on
# PostgreSQL too (SQLite serialises every writer anyway).
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
)


# --- the remote opening (docs/opening.md) ---------------------------------------------------------

openings = Table(
    "openings",
    metadata,
    Column("section_id", String(100), ForeignKey("sections.id"), primary_key=True),
    Column("phase", String(20), nullable=False),
    Column("outcome", String(10), nullable=False),  # open | failed
    Column("outcome_reason", Text),
    Column("host_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("recorder_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("supervisor_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("started_at", UTCTime, nullable=False),
    Column("window_minutes", Integer),
    Column("window_opened_at", UTCTime),
    Column("window_closes_at", UTCTime),
    Column("closed_at", UTCTime),
    Column("decision_reason", Text),
    Column("extensions", Text, nullable=False, default="[]"),  # JSON [{at, minutes, reason}]
    Column("transitions", Text, nullable=False, default="[]"),  # JSON [{phase, at, by}]
    Column("confirmation_minutes", Integer),
    Column("confirmation_until", UTCTime),
    # The current record revision: canonical JSON text, its digest, the platform's signature.
    Column("revision", Integer, nullable=False, default=0),
    Column("record", Text),
    Column("record_sha256", String(64)),
    Column("record_signature", LargeBinary),
    Column("closing", Text),
    Column("closing_signature", LargeBinary),
    Column("finished_at", UTCTime),
    Column("event_seq", BigInteger, nullable=False, default=0),
)

# One row per bid in the opening: fixed at start from the current submissions.
opening_bids = Table(
    "opening_bids",
    metadata,
    Column("section_id", String(100), ForeignKey("openings.section_id"), nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(500), nullable=False),
    Column("org_code", String(18)),
    Column("submission_id", String(40), ForeignKey("submissions.id"), nullable=False),
    Column("signin_at", UTCTime),
    Column("signin_statement", Text),
    Column("signin_signature", LargeBinary),
    # pending | opened | failed (before close); opened | revoked | withdrawn (after)
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("started_at", UTCTime),
    Column("ended_at", UTCTime),
    Column("error_code", String(100)),
    Column("error_zh", Text),
    Column("error_en", Text),
    Column("fault", String(10)),  # bidder | platform
    Column("cause", Text),
    Column("reason", Text),
    # The opened summary (JSON): kept from release, shown to nobody until close.
    Column("summary", Text),
    PrimaryKeyConstraint("section_id", "account_id"),
    UniqueConstraint("section_id", "number", name="opening_bids_number"),
)

opening_events = Table(
    "opening_events",
    metadata,
    Column("section_id", String(100), ForeignKey("openings.section_id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("at", UTCTime, nullable=False),
    Column("kind", String(30), nullable=False),
    # Who may see it: "all", "staff", or one account id (plus staff when staff_too).
    Column("audience", String(40), nullable=False),
    Column("staff_too", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),
    PrimaryKeyConstraint("section_id", "seq"),
)

objections = Table(
    "objections",
    metadata,
    Column("section_id", String(100), ForeignKey("openings.section_id"), nullable=False),
    Column("id", Integer, nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("raised_at", UTCTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("answer", Text),
    Column("answered_by", String(40)),
    Column("answered_at", UTCTime),
    PrimaryKeyConstraint("section_id", "id"),
)

record_signatures = Table(
    "record_signatures",
    metadata,
    Column("section_id", String(100), ForeignKey("openings.section_id"), nullable=False),
    Column("record_sha256", String(64), nullable=False),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("signed_at", UTCTime, nullable=False),
    Column("body", Text, nullable=False),  # wire.RecordSignature as JSON
    PrimaryKeyConstraint("section_id", "record_sha256", "account_id"),
)


class Database:
    """An engine with the platform's connection settings and two kinds of transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str) -> Database:
        """The database at ``url``, its tables created. A URL that names no usable database
        raises UsageError; a database that cannot be reached raises DatabaseUnavailable."""
        from sqlalchemy.exc import ArgumentError, DBAPIError

        try:
            db = cls._open(url)
        except (ArgumentError, ImportError) as exc:
            raise UsageError(
                str(exc).splitlines()[0],
                what=f"--db {_safe_url(url)}: 不是可用的数据库 URL / not a usable database URL",
            ) from exc
        except DBAPIError as exc:
            raise DatabaseUnavailable(
                str(exc.orig).splitlines()[0] if exc.orig else "", url=_safe_url(url)
            ) from exc
        return db

    @classmethod
    def _open(cls, url: str) -> Database:
        if url.startswith("sqlite"):
            engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 60},
                pool_size=10,
                max_overflow=30,
            )
            _sqlite_settings(engine)
        else:
            engine = create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)
        db = cls(engine)
        with db.write() as conn:
            metadata.create_all(conn)
            _upgrade(conn)
            if conn.execute(audit_head.select()).first() is None:
                conn.execute(audit_head.insert().values(id=1, seq=0, sha256="0" * 64))
        return db

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on an exception."""
        with self.engine.connect() as conn:
            conn.execution_options(sealbid_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


class DatabaseUnavailable(SealBidError):
    code = "server.database"
    zh = "无法连接数据库 {url}：请检查数据库服务是否运行、地址和凭据是否正确。"
    en = (
        "Cannot reach the database {url}: check that it is running and the address and credentials."
    )


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: shown as given, up to any password
        return url.split("@")[-1] if "@" in url else url


def _upgrade(conn: Connection) -> None:
    """Columns added since a database was created (create_all adds tables, not columns)."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(conn).get_columns("accounts")}
    if "issuer_sha256" not in have:
        conn.exec_driver_sql("ALTER TABLE accounts ADD COLUMN issuer_sha256 VARCHAR(64)")


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is turned off so that BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sealbid_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
