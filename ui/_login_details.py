"""Certificate details as the login dialog and the certificates page show them.

    view = CertDetailsView()
    view.show_summary(summary, now=ctx.server_now())    # an IdentitySummary (ui._certinfo)
    texts = cert_text()                                   # translated names of states, usages …
    texts.state(info, now)                                # "有效，剩余 120 天" / "Valid, 120 days left"

Only already loaded, plain data is shown here: nothing reads a file or a token.
"""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTextBrowser, QWidget

from ._certinfo import CertInfo, ExpiryWarning, IdentitySummary
from .widgets import fmt_time

__all__ = ["CertDetailsView", "CertText", "cert_text"]


class CertText(QObject):
    """The translated words for certificates (one place, so both screens say the same)."""

    def usage(self, key: str) -> str:
        if key == "signing":
            return self.tr("Signing certificate")
        if key == "encryption":
            return self.tr("Encryption certificate")
        return self.tr("Certificate (signing and encryption)")

    def key_usage(self, names: tuple[str, ...]) -> str:
        words = {
            "digital_signature": self.tr("digital signature"),
            "content_commitment": self.tr("non-repudiation"),
            "key_encipherment": self.tr("key encipherment"),
            "data_encipherment": self.tr("data encipherment"),
            "key_agreement": self.tr("key agreement"),
            "key_cert_sign": self.tr("certificate signing"),
            "crl_sign": self.tr("CRL signing"),
        }
        if not names:
            return self.tr("not restricted")
        return ", ".join(words.get(n, n) for n in names)

    def state(self, info: CertInfo, now: datetime) -> str:
        state = info.state(now)
        if state == "not_yet_valid":
            return self.tr("Not yet valid")
        if state == "expired":
            return self.tr("Expired")
        days = info.days_left(now)
        if state == "soon":
            return self.tr("Expires soon: {0} day(s) left").format(days)
        return self.tr("Valid, {0} day(s) left").format(days)

    def kind(self, summary: IdentitySummary) -> str:
        if summary.kind == "sandbox":
            return self.tr("Sandbox demo")
        if summary.kind == "token":
            return self.tr("USB key")
        if summary.kind == "current":
            return self.tr("Signed in")
        return self.tr("Certificate file")

    def role(self, role: str) -> str:
        names = {
            "bidder": self.tr("Bidder"),
            "host": self.tr("Host"),
            "recorder": self.tr("Recorder"),
            "supervisor": self.tr("Supervisor"),
            "admin": self.tr("Platform administrator"),
        }
        return names.get(role, role)

    def warning(self, w: ExpiryWarning) -> str:
        """One line of the expiry warnings list."""
        who = w.summary.label
        usage = self.usage(w.usage)
        until = fmt_time(w.cert.not_after, seconds=False)
        if w.kind == "expired":
            return self.tr("{0} — {1}: expired at {2}.").format(who, usage, until)
        if w.kind == "not_yet_valid":
            return self.tr("{0} — {1}: not valid before {2}.").format(
                who, usage, fmt_time(w.cert.not_before, seconds=False)
            )
        if w.kind == "before_opening" and w.opening is not None:
            return self.tr(
                "{0} — {1}: expires at {2}, before the opening of {3} ({4}) at {5}. Your bid is"
                " decrypted and the record signed at the opening: renew the certificate in"
                " time, and keep this one (its key opens bids sealed to it)."
            ).format(
                who,
                usage,
                until,
                w.opening.name,
                w.opening.section_id,
                fmt_time(w.opening.opening_time, seconds=False),
            )
        return self.tr("{0} — {1}: expires at {2}, within 30 days. Renew it soon.").format(
            who, usage, until
        )


_texts: CertText | None = None


def cert_text() -> CertText:
    global _texts
    if _texts is None:
        _texts = CertText()
    return _texts


class CertDetailsView(QTextBrowser):
    """Read-only details of an identity's certificates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setAccessibleName(self.tr("Certificate details"))
        self.summary: IdentitySummary | None = None
        self.show_summary(None)

    def show_summary(self, summary: IdentitySummary | None, now: datetime | None = None) -> None:
        from datetime import UTC

        self.summary = summary
        now = now or datetime.now(UTC)
        e = html.escape
        if summary is None:
            self.setHtml(f"<p>{e(self.tr('Choose an identity to see its certificates.'))}</p>")
            return
        texts = cert_text()
        parts = [f"<h3>{e(summary.label)}</h3>"]
        where = texts.kind(summary)
        if summary.role:
            where += " · " + texts.role(summary.role)
        parts.append(f"<p>{e(where)}<br/><small>{e(summary.source)}</small></p>")
        certs = summary.certificates()
        if not certs:
            parts.append(
                "<p>"
                + e(
                    self.tr(
                        "The certificates of this file are shown once it has been opened with"
                        " its password."
                    )
                )
                + "</p>"
            )
        for usage, info in certs:
            rows = [
                (self.tr("Subject"), info.common_name),
                (self.tr("Organisation"), info.organisation or "—"),
                (self.tr("Unified social credit code"), info.org_code or "—"),
                (self.tr("Issuer"), info.issuer),
                (self.tr("Serial number"), info.serial),
                (self.tr("Valid from"), fmt_time(info.not_before)),
                (self.tr("Valid until"), fmt_time(info.not_after)),
                (self.tr("Status"), texts.state(info, now)),
                (self.tr("Key usage"), texts.key_usage(info.key_usage)),
                (self.tr("Key type"), info.key_type),
                (self.tr("SHA-256 fingerprint"), info.sha256),
            ]
            colour = {"expired": "#b00020", "not_yet_valid": "#b00020", "soon": "#8a5a00"}.get(
                info.state(now), ""
            )
            body = "".join(
                f"<tr><td><b>{e(k)}</b></td><td"
                + (f' style="color:{colour}"' if k == self.tr("Status") and colour else "")
                + f">{e(v)}</td></tr>"
                for k, v in rows
            )
            parts.append(f"<h4>{e(texts.usage(usage))}</h4><table cellspacing='2'>{body}</table>")
        if certs and summary.encryption is None and not summary.single:
            parts.append(
                "<p><small>"
                + e(self.tr("The encryption certificate is shown after the first login."))
                + "</small></p>"
            )
        self.setHtml("".join(parts))

    def plain_text(self) -> str:
        """The text shown (tests and the clipboard)."""
        return self.toPlainText()
