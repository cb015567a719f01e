"""The one exception root of SealBid, and the user-facing text of every error.

Every error the app raises on purpose derives from :class:`SealBidError`. An error carries a
stable ``code`` (for logs, tests and the platform protocol) and renders its message in Chinese
(the default) or English through :meth:`SealBidError.diagnostics`::

    try:
        open_bid(path, identity, out_dir)
    except SealBidError as exc:
        print(exc.diagnostics("zh_CN"))

The tree (crypto errors live in ``crypto.errors``)::

    SealBidError
    ├── UsageError            bad arguments or input files given by the user
    ├── CancelledError        the user cancelled (never shown as a failure)
    └── crypto.errors.CryptoError
        ├── FormatError       the sealed-bid file is malformed, truncated or tampered with
        ├── SignatureError    the bidder's signature or certificate does not check out
        ├── KeyAccessError    no usable key: wrong key, no matching recipient, bad password
        └── TokenError        the PKCS#11 token failed or refused
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["CancelledError", "SealBidError", "UsageError", "default_language"]

_LANGUAGE = "zh_CN"


def default_language() -> str:
    """The language used when none is asked for: Chinese, the product's default."""
    return _LANGUAGE


class SealBidError(Exception):
    """Root of every SealBid error.

    Subclasses set ``code`` and the two message templates; ``params`` fill the templates
    (``str.format`` style). ``detail`` is a technical note for the log, in English, never
    containing keys, PINs, passwords or plaintext.
    """

    code: ClassVar[str] = "error"
    zh: ClassVar[str] = "发生错误。"
    en: ClassVar[str] = "An error occurred."

    def __init__(self, detail: str = "", **params: Any) -> None:
        self.detail = detail
        self.params = params
        super().__init__(self.diagnostics("en_US"))

    def diagnostics(self, language: str | None = None) -> str:
        """The message a user sees, in ``zh_CN`` (default) or ``en_US``."""
        lang = language or default_language()
        template = self.zh if lang.lower().startswith("zh") else self.en
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError):  # a template bug must never hide the error itself
            text = template
        if self.detail and not lang.lower().startswith("zh"):
            text = f"{text} ({self.detail})"
        return text

    def bilingual(self) -> str:
        """Both languages, Chinese first: what the CLI prints."""
        return f"{self.diagnostics('zh_CN')}\n{self.diagnostics('en_US')}"


class UsageError(SealBidError):
    code = "usage"
    zh = "参数有误：{what}"
    en = "Invalid input: {what}"


class CancelledError(SealBidError):
    """The user cancelled. Callers stop quietly; it is never reported as a failure."""

    code = "cancelled"
    zh = "已取消。"
    en = "Cancelled."
