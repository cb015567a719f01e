"""The platform client: log in with a certificate, browse sections, submit sealed bids, keep
receipts. Over httpx; no Qt.

    from client import PlatformClient, verify_receipt
    with PlatformClient(base_url="https://ggzy.example.cn", identity=ident) as client:
        receipt = client.submit("S-001", Path("bid.sealbid"), progress=on_progress)
        print(receipt.path)          # the verified receipt, kept under state_dir/receipts/

The wire schema (``client.wire``) is shared with the reference platform. Errors are the
:mod:`client.errors` tree, under :class:`sealbid.errors.SealBidError`.
"""

from .errors import (
    AuthError,
    BidRejectedError,
    ChecksumError,
    ConnectionFailedError,
    DeadlinePassedError,
    ForbiddenError,
    InsecureUrlError,
    NotFoundError,
    OffsetConflictError,
    OpeningStreamError,
    PlatformError,
    ProtocolError,
    ReceiptInvalidError,
    RecordInvalidError,
    ReleaseFailedError,
    RequestRefusedError,
    ServerError,
    SubmissionNotCurrentError,
    TenderVersionError,
    TimedOutError,
    TlsError,
    UploadStateError,
)
from .platform import DEFAULT_TIMEOUT, PlatformClient, normalise_base_url
from .receipts import ReceiptStore, VerifiedReceipt, load_certificates, verify_receipt
from .uploads import RetryPolicy, UploadState, UploadStateStore, default_state_dir

__all__ = [
    "DEFAULT_TIMEOUT",
    "AuthError",
    "BidRejectedError",
    "ChecksumError",
    "ConnectionFailedError",
    "DeadlinePassedError",
    "ForbiddenError",
    "InsecureUrlError",
    "NotFoundError",
    "OffsetConflictError",
    "OpeningStreamError",
    "PlatformClient",
    "PlatformError",
    "ProtocolError",
    "ReceiptInvalidError",
    "ReceiptStore",
    "RecordInvalidError",
    "ReleaseFailedError",
    "RequestRefusedError",
    "RetryPolicy",
    "ServerError",
    "SubmissionNotCurrentError",
    "TenderVersionError",
    "TimedOutError",
    "TlsError",
    "UploadState",
    "UploadStateError",
    "UploadStateStore",
    "VerifiedReceipt",
    "default_state_dir",
    "load_certificates",
    "normalise_base_url",
    "verify_receipt",
]
