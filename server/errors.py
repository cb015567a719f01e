"""The platform's refusals: each one an HTTP status, a stable code and a message in zh and en.

    raise DeadlinePassed(deadline="2025-06-01 09:30 CST")
    # -> 409 {"error": {"code": "section.deadline_passed", "zh": "...", "en": "..."}}

Every error derives from :class:`sealbid.errors.SealBidError` (style rule 3); the app turns an
:class:`ApiError` into ``wire.ErrorBody`` at one place (``server.app``). The codes are the
protocol's (docs/protocol.md, "Errors"); the client maps them to its own typed errors.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sealbid.errors import SealBidError

__all__ = [
    "PHASE_ZH",
    "AccountUnknown",
    "ApiError",
    "AuthCertificate",
    "AuthRequired",
    "BadChecksum",
    "BidInvalid",
    "BidSection",
    "BidSigner",
    "BidTenderVersion",
    "Conflict",
    "DeadlinePassed",
    "FinishBlocked",
    "InvalidRequest",
    "NoSubmission",
    "NonceExpired",
    "NonceInvalid",
    "NotFound",
    "NotParticipant",
    "NotRegistered",
    "OpeningNonce",
    "OpeningPhase",
    "OpeningSignature",
    "OpeningTime",
    "OpeningTooEarly",
    "ReasonRequired",
    "RecordPdfFailed",
    "RecordStale",
    "ReleaseFailed",
    "RequestTooLarge",
    "RoleForbidden",
    "SignatureInvalid",
    "SignedTimeInvalid",
    "SignerNotAllowed",
    "StaffChoice",
    "TokenExpired",
    "TokenInvalid",
    "UploadClosed",
    "UploadDigest",
    "UploadIncomplete",
    "UploadOffset",
    "UploadTooLarge",
    "WindowClosed",
    "WindowRunning",
    "WrongPlatform",
    "plain_messages",
]


def plain_messages(exc: SealBidError) -> tuple[str, str]:
    """An error's Chinese and English text without its technical detail (which may say more
    than a remote party should learn, style rule 6)."""
    return exc.diagnostics("zh_CN"), _format(exc.en, exc.params)


def _format(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


class ApiError(SealBidError):
    """A refusal the platform answers with ``status`` and ``wire.ErrorBody``."""

    status: ClassVar[int] = 400
    code = "request"
    zh = "请求有误。"
    en = "Bad request."

    def __init__(self, detail: str = "", *, wire_code: str | None = None, **params: Any) -> None:
        # A few refusals carry the code of what caused them (bid.format.truncated …).
        self.wire_code = wire_code or self.code
        super().__init__(detail, **params)


class InvalidRequest(ApiError):
    status = 422
    code = "request.invalid"
    zh = "请求格式有误：{what}"
    en = "Malformed request: {what}"


class Conflict(ApiError):
    status = 409
    code = "request.conflict"
    zh = "与现有数据冲突：{what}"
    en = "Conflicts with existing data: {what}"


class NotFound(ApiError):
    status = 404
    code = "not_found"
    zh = "找不到{what_zh}。"
    en = "Not found: {what_en}."


# --- authentication -----------------------------------------------------------------------------


class AuthRequired(ApiError):
    status = 401
    code = "auth.required"
    zh = "请先用数字证书登录。"
    en = "Please log in with your certificate first."


class TokenInvalid(ApiError):
    status = 401
    code = "auth.token"
    zh = "登录凭据无效，请重新登录。"
    en = "The session token is not valid; please log in again."


class TokenExpired(ApiError):
    status = 401
    code = "auth.expired"
    zh = "登录已过期，请重新登录。"
    en = "The session has expired; please log in again."


class NonceInvalid(ApiError):
    status = 401
    code = "auth.nonce"
    zh = "登录挑战无效或已使用，请重新登录。"
    en = "The login challenge is unknown or was already used; please log in again."


class NonceExpired(ApiError):
    status = 401
    code = "auth.nonce_expired"
    zh = "登录挑战已过期（2 分钟内有效），请重新登录。"
    en = "The login challenge expired (valid for 2 minutes); please log in again."


class WrongPlatform(ApiError):
    status = 401
    code = "auth.platform"
    zh = "登录签名是为另一个平台（{got}）生成的。"
    en = "The login signature was made for another platform ({got})."


class SignedTimeInvalid(ApiError):
    status = 401
    code = "auth.time"
    zh = "登录签名中的时间与平台时间相差过大，请校准电脑时钟。"
    en = "The time in the login signature is too far from the platform's clock; check the computer's clock."


class SignatureInvalid(ApiError):
    status = 401
    code = "auth.signature"
    zh = "登录签名无效。"
    en = "The login signature is not valid."


class AuthCertificate(ApiError):
    """The certificate's path, validity or key usage failed; code ``auth.certificate.*``."""

    status = 401
    code = "auth.certificate"
    zh = "证书未通过平台校验：{why_zh}"
    en = "The certificate was not accepted: {why_en}"


class AccountUnknown(ApiError):
    status = 403
    code = "auth.account"
    zh = "平台上没有与此证书对应的账户（{subject}），请先办理登记。"
    en = "No account on this platform matches this certificate ({subject}); please register first."


class RoleForbidden(ApiError):
    status = 403
    code = "role.forbidden"
    zh = "您的角色（{role}）无权执行此操作。"
    en = "Your role ({role}) may not do this."


class NotRegistered(ApiError):
    status = 403
    code = "section.not_registered"
    zh = "您未登记参加此标段的投标。"
    en = "You are not registered as a bidder for this section."


# --- submission --------------------------------------------------------------------------------


class DeadlinePassed(ApiError):
    status = 409
    code = "section.deadline_passed"
    zh = "投标截止时间（{deadline}）已到，平台不再接受提交、替换或撤回。"
    en = "The bid deadline ({deadline}) has passed; no submission, replacement or withdrawal is accepted."


class UploadOffset(ApiError):
    status = 409
    code = "upload.offset"
    zh = "上传位置不符：平台已收到 {offset} 字节，请从该位置继续。"
    en = "Wrong upload offset: the platform holds {offset} bytes; resume from there."


class BadChecksum(ApiError):
    status = 460
    code = "upload.checksum"
    zh = "数据块校验失败（传输中损坏），请重新发送该块。"
    en = "The chunk checksum does not match (damaged in transfer); send the chunk again."


class UploadTooLarge(ApiError):
    status = 413
    code = "upload.too_large"
    zh = "数据超出范围：{what}"
    en = "Too much data: {what}"


class UploadIncomplete(ApiError):
    status = 409
    code = "upload.incomplete"
    zh = "文件尚未传完（{offset}/{length} 字节）。"
    en = "The upload is not complete ({offset} of {length} bytes)."


class RequestTooLarge(ApiError):
    status = 413
    code = "request.too_large"
    zh = "请求数据过大（上限 {limit} 字节）。"
    en = "The request body is too large (at most {limit} bytes)."


class BodyTimeout(ApiError):
    status = 408
    code = "request.timeout"
    zh = "上传数据中断超过 {seconds} 秒，请重试。"
    en = "The request body stalled for more than {seconds} s; try again."


class UploadClosed(ApiError):
    status = 409
    code = "upload.closed"
    zh = "此上传已结束（{state}），请重新开始上传。"
    en = "This upload is closed ({state}); start a new upload."


class UploadDigest(ApiError):
    status = 422
    code = "upload.digest"
    zh = "收到的文件摘要与上传时声明的不一致，请重新上传。"
    en = "The file received does not have the SHA-256 announced; upload it again."


class BidInvalid(ApiError):
    """The sealed-bid file failed a check; ``wire_code`` is ``bid.`` + the crypto error's code."""

    status = 422
    code = "bid.invalid"
    zh = "投标文件未通过校验：{why_zh}"
    en = "The sealed-bid file was refused: {why_en}"


class BidSigner(ApiError):
    status = 403
    code = "bid.signer"
    zh = "投标文件的签名人（{signer}）不是当前登录的投标人。"
    en = "The bid was signed by {signer}, not by the bidder logged in."


class BidSection(ApiError):
    status = 422
    code = "bid.section"
    zh = "投标文件是为标段 {got} 密封的，不是本标段 {want}。"
    en = "The bid was sealed for section {got}, not for this section {want}."


class BidTenderVersion(ApiError):
    status = 409
    code = "bid.tender_version"
    zh = "招标文件已更新（答疑/澄清），投标文件是按旧版本密封的：请下载最新招标文件后重新密封投标文件。"
    en = "The tender documents have changed (clarification); the bid was sealed against an older version: download the newest documents and reseal the bid."


class NoSubmission(ApiError):
    status = 409
    code = "submission.none"
    zh = "本标段没有可撤回的投标文件。"
    en = "There is no submitted bid to withdraw in this section."


# --- the remote opening ----------------------------------------------------------------------------

PHASE_ZH = {
    "waiting": "待开标",
    "signin": "签到",
    "listed": "已公布投标人名单",
    "window": "解密中",
    "closed": "解密已结束",
    "announced": "已唱标",
    "confirming": "开标记录确认中",
    "finished": "开标已结束",
}


class OpeningPhase(ApiError):
    status = 409
    code = "opening.phase"
    zh = "开标当前处于「{phase_zh}」阶段，不能{action_zh}。"
    en = "The opening is in phase '{phase}': cannot {action_en} now."


class OpeningTooEarly(ApiError):
    status = 409
    code = "opening.too_early"
    zh = "未到开标时间（{time}，以平台时间为准），不能开始开标。"
    en = "It is not yet the opening time ({time}, platform time)."


class NotParticipant(ApiError):
    status = 403
    code = "opening.not_participant"
    zh = "您不是本次开标的投标人（开标开始时没有您的有效投标文件）。"
    en = "You are not a bidder of this opening (no current bid of yours when it started)."


class WindowClosed(ApiError):
    status = 409
    code = "opening.window_closed"
    zh = "解密时间已于 {time} 结束，不能再解密。"
    en = "The decryption window ended at {time}; no more decryption."


class WindowRunning(ApiError):
    status = 409
    code = "opening.window_running"
    zh = "解密时间到 {time} 才结束，尚有 {pending} 家未解密；全部解密后方可提前结束。"
    en = "The window runs until {time} and {pending} bid(s) are not yet opened; it can end early only when all are."


class ReasonRequired(ApiError):
    status = 422
    code = "opening.reason_required"
    zh = "{what_zh}：请填写理由。"
    en = "{what_en}: a reason is required."


class ReleaseFailed(ApiError):
    status = 422
    code = "opening.release"
    zh = "解密失败：{why_zh}"
    en = "Decryption failed: {why_en}"


class RecordStale(ApiError):
    status = 409
    code = "opening.record_stale"
    zh = "您签署的不是开标记录的当前版本（当前摘要 {current}），请重新查看后签署。"
    en = (
        "You signed a record that is not the current one (now {current}); review it and sign again."
    )


class SignerNotAllowed(ApiError):
    status = 403
    code = "opening.signer"
    zh = "您不能以「{role_zh}」身份签署本次开标记录。"
    en = "You may not sign this opening record as {role}."


class FinishBlocked(ApiError):
    status = 409
    code = "opening.finish_blocked"
    zh = "还不能结束开标：{what_zh}"
    en = "Cannot finish the opening yet: {what_en}"


class StaffChoice(ApiError):
    status = 422
    code = "opening.staff"
    zh = "请指定{role_zh}：{what_zh}"
    en = "Name the {role}: {what_en}"


class OpeningNonce(ApiError):
    status = 409
    code = "opening.nonce"
    zh = "签到挑战无效、已使用或已过期，请重新签到。"
    en = "The sign-in challenge is unknown, used or expired; sign in again."


class OpeningTime(ApiError):
    status = 422
    code = "opening.time"
    zh = "签名时间与平台时间相差超过 2 分钟，请检查本机时钟后重试。"
    en = "The signed time is more than 2 minutes off the platform's clock; check this PC's clock and retry."


class OpeningSignature(ApiError):
    status = 422
    code = "opening.signature"
    zh = "签名无效：{why_zh}"
    en = "The signature is not valid: {why_en}"


class RecordPdfFailed(ApiError):
    status = 503
    code = "opening.pdf_failed"
    zh = "开标记录 PDF 生成失败，平台重启时将重试；JSON 格式的开标记录不受影响，可先下载它。"
    en = "The record PDF could not be made; the platform retries when it restarts. The JSON record is unaffected: download that meanwhile."
