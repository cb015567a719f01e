"""The sealed-bid format, identities, tokens and signatures. No network, no Qt.

from crypto import load_identity, seal, verify, open_bid
ident = load_identity("bidder.p12", password=b"...")
seal([Path("商务标.pdf")], Path("bid.sealbid"), identity=ident, section="S-001")
"""

from .envelope import (
    BidInfo,
    OpenedBid,
    SealResult,
    VerifiedBid,
    canonical_json,
    extract,
    inspect,
    open_bid,
    seal,
    seal_at,
    verify,
)
from .identity import FileIdentity, Identity, RsaPadding, load_identity

__all__ = [
    "BidInfo",
    "FileIdentity",
    "Identity",
    "OpenedBid",
    "RsaPadding",
    "SealResult",
    "VerifiedBid",
    "canonical_json",
    "extract",
    "inspect",
    "load_identity",
    "open_bid",
    "seal",
    "seal_at",
    "verify",
]
