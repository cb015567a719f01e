"""Errors of the crypto layer: every one derives from :class:`sealbid.errors.SealBidError`.

Decryption failures are precise for the owner (which check failed, which chunk) and carry no
secret. A remote party (the platform) only ever sees ``code``.
"""

from __future__ import annotations

from sealbid.errors import SealBidError

__all__ = [
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateUntrustedError",
    "CertificateUsageError",
    "CryptoError",
    "ExpiresBeforeOpeningError",
    "FileAccessError",
    "FormatError",
    "HeaderTamperedError",
    "IdentityError",
    "InnerManifestError",
    "KeyAccessError",
    "KeyCommitmentError",
    "ManifestMismatchError",
    "NoMatchingRecipientError",
    "NotASealedBidError",
    "PayloadCorruptedError",
    "PayloadDigestError",
    "SelfCheckError",
    "SignatureError",
    "SignatureInvalidError",
    "SignerMismatchError",
    "TokenError",
    "TokenPinError",
    "TrailingDataError",
    "TruncatedError",
    "UnsafeDocumentNameError",
    "UnsupportedAlgorithmError",
    "UnsupportedVersionError",
    "WrongKeyError",
    "WrongPasswordError",
]


class CryptoError(SealBidError):
    code = "crypto"
    zh = "密码运算失败。"
    en = "A cryptographic operation failed."


# --- the sealed-bid file itself ---------------------------------------------------------------


class FileAccessError(CryptoError):
    code = "file"
    zh = "无法读写文件 {path}：{why}"
    en = "Cannot read or write {path}: {why}"


class FormatError(CryptoError):
    code = "format"
    zh = "投标文件格式错误：{what}"
    en = "The sealed-bid file is malformed: {what}"


class NotASealedBidError(FormatError):
    code = "format.magic"
    zh = "这不是 SealBid 密封投标文件（文件头不符，或文件在传输中被按文本改写了换行符）。"
    en = (
        "This is not a SealBid sealed-bid file (wrong file signature, or line endings were "
        "rewritten in transfer)."
    )


class UnsupportedVersionError(FormatError):
    code = "format.version"
    zh = "不支持的投标文件格式版本 {version}，请升级 SealBid。"
    en = "Unsupported sealed-bid format version {version}; please upgrade SealBid."


class UnsupportedAlgorithmError(FormatError):
    code = "format.algorithm"
    zh = "投标文件使用了不支持的算法 {name}。"
    en = "The sealed-bid file uses an unsupported algorithm: {name}."


class TruncatedError(FormatError):
    code = "format.truncated"
    zh = "投标文件不完整（被截断），可能是下载或复制未完成。"
    en = "The sealed-bid file is truncated; the download or copy may not have finished."


class TrailingDataError(FormatError):
    code = "format.trailing"
    zh = "投标文件末尾有多余数据，文件已被改动。"
    en = "The sealed-bid file has trailing data after its end; it has been altered."


class HeaderTamperedError(FormatError):
    code = "format.header"
    zh = "投标文件头与投标人签名的内容不一致（{what}），文件已被篡改。"
    en = "The file header does not match what the bidder signed ({what}); it was tampered with."


class ManifestMismatchError(FormatError):
    code = "format.manifest"
    zh = "投标文件清单与文件内容不一致：{what}"
    en = "The signed manifest does not match the file: {what}"


class PayloadCorruptedError(FormatError):
    code = "format.payload"
    zh = "投标文件密文第 {chunk} 块校验失败（损坏、重排、重复或缺失）。"
    en = "Ciphertext chunk {chunk} failed authentication (corrupted, reordered, duplicated or missing)."


class PayloadDigestError(FormatError):
    code = "format.digest"
    zh = "投标文件密文摘要与签名不符，文件已被篡改。"
    en = "The ciphertext digest does not match the signed manifest; the file was tampered with."


class KeyCommitmentError(FormatError):
    code = "format.commitment"
    zh = "解出的文件密钥与投标人签名承诺的密钥不一致，拒绝打开。"
    en = "The recovered file key does not match the key the bidder committed to; refusing to open."


class UnsafeDocumentNameError(FormatError):
    code = "format.name"
    zh = "投标文件中的文档名不安全：{name!r}（{why}）"
    en = "Unsafe document name in the bid: {name!r} ({why})"


class InnerManifestError(FormatError):
    code = "format.inner"
    zh = "投标文件内部清单与内容不符：{what}"
    en = "The inner manifest does not match the content: {what}"


# --- signatures and certificates ---------------------------------------------------------------


class SignatureError(CryptoError):
    code = "signature"
    zh = "签名验证失败：{what}"
    en = "Signature verification failed: {what}"


class SignatureInvalidError(SignatureError):
    code = "signature.invalid"
    zh = "投标人签名无效（签名与内容不符）。"
    en = "The bidder's signature is invalid (it does not match the signed content)."


class SignerMismatchError(SignatureError):
    code = "signature.signer"
    zh = "签名证书与投标文件中登记的投标人证书不是同一张。"
    en = "The signature was made with a different certificate than the bidder recorded in the file."


class CertificateExpiredError(SignatureError):
    code = "certificate.expired"
    zh = "证书“{subject}”已于 {when} 过期。"
    en = "Certificate '{subject}' expired at {when}."


class CertificateNotYetValidError(SignatureError):
    code = "certificate.not_yet_valid"
    zh = "证书“{subject}”在 {when} 之前尚未生效。"
    en = "Certificate '{subject}' is not valid before {when}."


class CertificateUntrustedError(SignatureError):
    code = "certificate.untrusted"
    zh = "证书“{subject}”不是由受信任的 CA 签发的。"
    en = "Certificate '{subject}' was not issued by a trusted CA."


class CertificateUsageError(SignatureError):
    code = "certificate.usage"
    zh = "证书“{subject}”不允许用于{usage}。"
    en = "Certificate '{subject}' may not be used for {usage}."


# --- keys and identities ------------------------------------------------------------------------


class KeyAccessError(CryptoError):
    code = "key"
    zh = "无法使用密钥：{what}"
    en = "Cannot use the key: {what}"


class IdentityError(KeyAccessError):
    code = "key.identity"
    zh = "数字证书文件不可用：{what}"
    en = "The identity cannot be used: {what}"


class WrongPasswordError(KeyAccessError):
    code = "key.password"
    zh = "证书文件密码错误，或文件已损坏。"
    en = "Wrong password for the certificate file, or the file is damaged."


class NoMatchingRecipientError(KeyAccessError):
    code = "key.no_recipient"
    zh = "此投标文件不是加密给您的证书的：收件人中没有与您的加密证书匹配的一项。"
    en = "This bid was not encrypted to your certificate: no recipient matches your encryption certificate."


class WrongKeyError(KeyAccessError):
    code = "key.wrong"
    zh = "您的私钥无法解开此投标文件的文件密钥（密钥不匹配，或证书已更换）。"
    en = "Your private key cannot unwrap this bid's file key (wrong key, or the certificate was renewed)."


class ExpiresBeforeOpeningError(KeyAccessError):
    code = "key.expires_before_opening"
    zh = "加密证书将于 {when} 过期，早于开标时间 {opening}；请先更新证书再密封投标文件。"
    en = "The encryption certificate expires at {when}, before the opening at {opening}; renew it before sealing."


class SelfCheckError(KeyAccessError):
    code = "key.self_check"
    zh = "密封自检失败：刚生成的投标文件无法用您的密钥打开（{what}），未保存任何文件。"
    en = "Sealing self-check failed: your key cannot open the file just sealed ({what}); nothing was saved."


class TokenError(KeyAccessError):
    code = "token"
    zh = "证书介质（USB Key）出错：{what}"
    en = "The token (USB key) failed: {what}"


class TokenPinError(TokenError):
    code = "token.pin"
    zh = "USB Key 的 PIN 码错误或已锁定。"
    en = "The token PIN is wrong or locked."
