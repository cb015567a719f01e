"""Errors of the platform client: one tree under :class:`sealbid.errors.SealBidError`.

Everything httpx, the socket layer or the platform can say is translated once, in
``client.platform``, into one of these (``raise … from exc``); nothing else escapes the client::

    try:
        receipt = client.submit("S-001", Path("bid.sealbid"))
    except DeadlinePassedError as exc:
        show(exc.diagnostics())          # 投标截止时间已过（以平台时间为准）… + the platform's text
    except PlatformError as exc:
        show(exc.diagnostics())

The tree::

    SealBidError
    └── PlatformError                   platform           anything the platform side refused
        ├── ConnectionFailedError       platform.connect   no connection, or it dropped
        │   └── TimedOutError           platform.timeout   the platform did not answer in time
        ├── TlsError                    platform.tls       certificate not trusted / TLS refused
        ├── InsecureUrlError            platform.insecure  plain http:// to a non-loopback host
        ├── ProtocolError               platform.protocol  an answer that is not the protocol
        ├── AuthError                   platform.auth      login refused or session invalid
        ├── ForbiddenError              platform.forbidden the role or ownership does not allow it
        ├── NotFoundError               platform.not_found no such project, section, upload …
        ├── DeadlinePassedError         platform.deadline  at or after the bid deadline (its clock)
        ├── TenderVersionError          platform.tender_version  sealed against old documents
        ├── BidRejectedError            platform.rejected  the platform refused the bid file
        ├── OffsetConflictError         platform.offset    upload offset disagrees with the server
        ├── ChecksumError               platform.checksum  a chunk or a download did not match
        ├── ServerError                 platform.server    5xx after every retry
        ├── RequestRefusedError         platform.refused   any other refusal (server text shown)
        ├── UploadStateError            platform.state     the local upload state is unusable
        ├── SubmissionNotCurrentError   platform.not_current  finished, but not the current bid
        ├── ReceiptInvalidError         platform.receipt   a receipt that does not verify
        ├── ReleaseFailedError          platform.release   the platform refused a released key
        ├── OpeningStreamError          platform.events    the opening's event stream broke
        └── RecordInvalidError          platform.record    an opening record file that is unreadable

When the platform sent an error body (``wire.ErrorBody``) its ``code`` chose the class and its
Chinese and English text is shown after ours; ``server_code`` keeps the code for logs and tests.
"""

from __future__ import annotations

from typing import Any

from sealbid.errors import SealBidError

__all__ = [
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
    "PlatformError",
    "ProtocolError",
    "ReceiptInvalidError",
    "RecordInvalidError",
    "ReleaseFailedError",
    "RequestRefusedError",
    "ServerError",
    "SubmissionNotCurrentError",
    "TenderVersionError",
    "TimedOutError",
    "TlsError",
    "UploadStateError",
]


class PlatformError(SealBidError):
    """Root of the client's errors.

    ``status`` is the HTTP status when there was an answer; ``server_code``, ``server_zh`` and
    ``server_en`` are the platform's error body when it sent one.
    """

    code = "platform"
    zh = "交易平台返回错误。"
    en = "The trading platform returned an error."

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        server_code: str | None = None,
        server_zh: str | None = None,
        server_en: str | None = None,
        **params: Any,
    ) -> None:
        self.status = status
        self.server_code = server_code
        self.server_zh = server_zh
        self.server_en = server_en
        super().__init__(detail, **params)

    def diagnostics(self, language: str | None = None) -> str:
        text = super().diagnostics(language)
        zh = (language or "zh_CN").lower().startswith("zh")
        server = self.server_zh if zh else self.server_en
        if server:
            text = f"{text}（平台：{server}）" if zh else f"{text} (platform: {server})"
        return text


class ConnectionFailedError(PlatformError):
    code = "platform.connect"
    zh = "无法连接交易平台 {url}，或连接中断。请检查网络后重试。"
    en = "Cannot reach the trading platform at {url}, or the connection dropped. Check the network and retry."


class TimedOutError(ConnectionFailedError):
    code = "platform.timeout"
    zh = "交易平台 {url} 在规定时间内没有响应。"
    en = "The trading platform at {url} did not answer in time."


class TlsError(PlatformError):
    code = "platform.tls"
    zh = "与交易平台 {url} 的安全连接（TLS）失败：平台证书不受信任或无效。"
    en = "The secure (TLS) connection to {url} failed: the platform's certificate is not trusted or invalid."


class InsecureUrlError(PlatformError):
    code = "platform.insecure"
    zh = "拒绝以明文 HTTP 连接 {url}：只有本机沙箱可以不加密，其他平台必须使用 https://。"
    en = "Refusing plain HTTP to {url}: only the local sandbox may be unencrypted; use https://."


class ProtocolError(PlatformError):
    code = "platform.protocol"
    zh = "交易平台的应答不符合协议（{what}），可能版本不兼容。"
    en = "The platform's answer does not follow the protocol ({what}); the versions may not match."


class AuthError(PlatformError):
    code = "platform.auth"
    zh = "登录交易平台失败：证书未被接受或会话已失效。"
    en = "Login to the trading platform failed: the certificate was not accepted or the session ended."


class ForbiddenError(PlatformError):
    code = "platform.forbidden"
    zh = "无权执行此操作（角色或标段不符）。"
    en = "Not allowed (wrong role, or not registered for this section)."


class NotFoundError(PlatformError):
    code = "platform.not_found"
    zh = "交易平台上没有找到 {what}。"
    en = "Not found on the trading platform: {what}."


class DeadlinePassedError(PlatformError):
    code = "platform.deadline"
    zh = "投标截止时间已过（以交易平台的时间为准），平台不再接受提交、替换或撤回。"
    en = "The bid deadline has passed (by the platform's clock); no more submissions, replacements or withdrawals."


class TenderVersionError(PlatformError):
    code = "platform.tender_version"
    zh = "招标文件已更新（有新的答疑或澄清），请按最新招标文件重新密封投标文件后再提交。"
    en = "The tender documents have changed (a new clarification); reseal the bid against the newest documents."


class BidRejectedError(PlatformError):
    code = "platform.rejected"
    zh = "交易平台拒绝了该投标文件。"
    en = "The trading platform refused the bid file."


class OffsetConflictError(PlatformError):
    code = "platform.offset"
    zh = "上传位置与平台记录不一致。"
    en = "The upload offset disagrees with the platform's."


class ChecksumError(PlatformError):
    code = "platform.checksum"
    zh = "数据校验失败：{what}"
    en = "Checksum mismatch: {what}"


class ServerError(PlatformError):
    code = "platform.server"
    zh = "交易平台内部错误（HTTP {status_code}），请稍后重试。"
    en = "The trading platform had an internal error (HTTP {status_code}); retry later."


class RequestRefusedError(PlatformError):
    code = "platform.refused"
    zh = "交易平台拒绝了请求（HTTP {status_code}）。"
    en = "The trading platform refused the request (HTTP {status_code})."


class UploadStateError(PlatformError):
    code = "platform.state"
    zh = "本地上传记录不可用：{what}"
    en = "The local upload state cannot be used: {what}"


class SubmissionNotCurrentError(PlatformError):
    code = "platform.not_current"
    zh = "标段 {section} 的上传已完成，但平台显示的当前投标不是这一次提交（可能已被撤回或替换）；请查看投标状态后重新提交。"
    en = "The upload for section {section} finished, but the platform's current bid is not this submission (it may have been withdrawn or replaced); check the bid's status and submit again."


class ReceiptInvalidError(PlatformError):
    code = "platform.receipt"
    zh = "回执验证失败：{what}。该回执不能证明提交成功。"
    en = "The receipt does not verify: {what}. It does not prove the submission."


# --- the remote opening (client.opening, client.record) ----------------------------------------


class ReleaseFailedError(PlatformError):
    """The platform did not accept a released file key (``422 opening.*``); the platform's
    Chinese and English text says why, and whether a retry within the window can help."""

    code = "platform.release"
    zh = "解密失败：平台未能用释放的密钥打开投标文件。"
    en = "Decryption failed: the platform could not open the bid with the released key."


class OpeningStreamError(PlatformError):
    """The opening's event stream broke in a way reconnecting cannot mend."""

    code = "platform.events"
    zh = "开标事件流中断：{what}"
    en = "The opening's event stream broke: {what}"


class RecordInvalidError(PlatformError):
    """A signed opening record file that cannot even be read as one (a record that reads but
    does not verify is reported check by check, see :mod:`client.record`)."""

    code = "platform.record"
    zh = "开标记录文件无法读取：{what}"
    en = "The opening record file cannot be read: {what}"
