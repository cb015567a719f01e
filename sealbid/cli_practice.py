"""``sealbid practice``: a practice opening (练习开标) on the sandbox platform.

    sealbid practice --platform http://127.0.0.1:PORT --sandbox-json DATA/sandbox.json
    sealbid practice … --minutes 5 --me 91340100MA2N0A1B2X      # you bid as this demo bidder
    sealbid practice … --follow                                 # then the demo bidders take part
    sealbid practice … --me ORG --follow --demo-host            # and a demo host runs it
    sealbid practice … --follow --section PRACTICE-0312-101500  # follow one made before

Creates a section that opens ``--minutes`` from now (platform time) with bids from demo
bidders: 3, or 2 with ``--me`` (your own bid makes the three an opening needs). With
``--follow`` the demo bidders then sign in, decrypt and confirm the record by themselves until
the opening finishes (Ctrl-C stops them); with ``--demo-host`` as well, the sandbox host runs
the opening and its recorder and supervisor sign. The new section's id goes to stdout alone; what
people read goes to stderr, in Chinese and English.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from .cli import _show_time
from .cli_platform import _err, _platform_options
from .errors import UsageError

GIVE_UP_AFTER = 300.0
"""Seconds with no demo person reaching the platform before ``--follow`` gives up."""

__all__ = ["add_parsers"]

_STEP = {
    "signed_in": "已签到 / signed in",
    "opened": "已解密 / decrypted",
    "release_failed": "解密未成功，将重试 / decryption failed, will retry",
    "confirmed": "已签认开标记录 / confirmed the record",
    "finished": "开标结束 / the opening finished",
    "left": "不在本次开标中 / not in this opening",
    "error": "出错，重新跟进 / an error, following again",
    "started": "已开始开标 / started the opening",
    "listed": "已公布投标人名单 / published the bidder list",
    "window": "已开始解密 / opened the decryption window",
    "closed": "已结束解密 / closed the decryption window",
    "announced": "已唱标 / announced the results",
    "answered": "已答复异议 / answered an objection",
    "signed:host": "主持人已签署开标记录 / the host signed the record",
    "signed:recorder": "记录人已签署开标记录 / the recorder signed the record",
    "signed:supervisor": "监督人已签署开标记录 / the supervisor signed the record",
}


def _minutes(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(what=f"--minutes {text!r}: 应为整数 / must be an integer") from None


def _bids(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(what=f"--bids {text!r}: 应为整数 / must be an integer") from None


def _say_step(who: str, name: str, step: str) -> None:
    if who == "host":
        _err(f"  演示主持人 / demo host {name}: {_STEP.get(step, step)}")
    else:
        _err(f"  演示投标人 / demo bidder {name} ({who}): {_STEP.get(step, step)}")


def cmd_practice(args: argparse.Namespace) -> int:
    from .practice import DemoBidders, DemoHost, create_practice_section, load_sandbox_info

    if not args.platform:
        raise UsageError(what="需要 --platform / --platform is required")
    info = load_sandbox_info(Path(args.sandbox_json))
    state_dir = Path(args.state_dir) if args.state_dir else None
    if args.demo_host and not args.follow:
        raise UsageError(what="--demo-host 需要 --follow / --demo-host needs --follow")
    expected: int | None = None
    if args.section:
        if not args.follow:
            raise UsageError(what="--section 需要 --follow / --section needs --follow")
        section_id = args.section
        org_codes = _submitted(args, info, state_dir)
        if not org_codes:
            raise UsageError(
                what=f"{section_id}: 没有演示投标人在此标段投标 / no demo bidder has a bid in this"
                " section"
            )
    else:
        made = create_practice_section(
            args.platform,
            info,
            minutes=_minutes(args.minutes),
            me_org_code=args.me,
            bids=_bids(args.bids),
            state_dir=state_dir,
            ca_bundle=args.ca_bundle,
        )
        section_id, org_codes = made.section_id, list(made.demo_org_codes)
        expected = len(made.bids) + (1 if made.me_org_code else 0)
        _err(f"练习标段已创建 / practice section created: {made.section_id}  {made.name}")
        _err(f"  投标截止 / deadline: {_show_time(made.deadline)}")
        _err(f"  开标时间 / opening:  {_show_time(made.opening_time)}")
        if made.tender_document:
            _err(f"  招标文件 / tender document: {made.tender_document}")
        for b in made.bids:
            _err(f"  已投标 / bid submitted: {b.name} ({b.org_code})")
        if made.me_org_code:
            _err(
                "  下一步：在投标截止前密封并提交您自己的投标，再进入开标大厅 / next: seal and"
                " submit your own bid before the deadline, then join the opening hall"
            )
            if not args.demo_host:
                _err(
                    "  开标需要主持人：加 --follow --demo-host 由演示主持人主持，或以主持人身份主持"
                    " / the opening needs a host: add --follow --demo-host, or run it as the host"
                )
        elif not args.demo_host:
            _err(
                "  下一步：开标时间到后以主持人身份开始开标 / next: after the opening time, start"
                " the opening as the host"
            )
        print(made.section_id, flush=True)
    if not args.follow:
        return 0
    crews: list[DemoBidders | DemoHost] = [
        DemoBidders(
            args.platform,
            info,
            section_id,
            org_codes,
            state_dir=state_dir,
            ca_bundle=args.ca_bundle,
            on_step=_say_step,
        )
    ]
    if args.demo_host:
        crews.append(
            DemoHost(
                args.platform,
                info,
                section_id,
                expected_bids=expected,
                state_dir=state_dir,
                ca_bundle=args.ca_bundle,
                on_step=_say_step,
            )
        )
    _err(
        f"演示投标人正在等待开标（Ctrl-C 停止）/ the demo bidders wait for the opening (Ctrl-C"
        f" stops them): {', '.join(org_codes)}"
    )
    for crew in crews:
        crew.start()
    try:
        # Short waits: Ctrl-C is taken between them (a join without timeout would not wake).
        last_seen = time.monotonic()
        while not all(crew.wait(timeout=0.25) for crew in crews):
            if any(crew.any_connected for crew in crews):
                last_seen = time.monotonic()
            elif time.monotonic() - last_seen > GIVE_UP_AFTER:
                # The sandbox is gone (its app closed): retrying for ever helps nobody.
                for crew in crews:
                    crew.stop()
                minutes = round(GIVE_UP_AFTER / 60, 1)
                _err(
                    f"{minutes} 分钟无法连接平台 {args.platform}，演示人员已停止"
                    f" / the platform {args.platform} was unreachable for {minutes} minutes:"
                    " the demo people stopped"
                )
                return 1
    except KeyboardInterrupt:
        for crew in crews:
            crew.stop()
        _err("演示投标人已停止 / demo bidders stopped")
        raise
    return 0


def _submitted(args: argparse.Namespace, info: dict[str, Any], state_dir: Path | None) -> list[str]:
    """The demo bidders (all but ``--me``) with a current bid in ``--section``."""
    from .practice import submitted_demo_bidders

    return submitted_demo_bidders(
        args.platform,
        info,
        args.section,
        exclude=args.me,
        state_dir=state_dir,
        ca_bundle=args.ca_bundle,
    )


def add_parsers(sub: Any) -> None:
    """Add ``practice`` to the ``sealbid`` sub-command parsers."""
    p = sub.add_parser(
        "practice",
        help="在沙箱平台创建练习开标 / a practice opening on the sandbox platform",
        description="创建一个几分钟后开标的练习标段，演示投标人已投标，并可自行参加开标"
        " / create a section that opens in a few minutes, with bids from demo bidders who can"
        " take part in the opening by themselves",
    )
    _platform_options(p)
    for action in p._actions:
        if action.dest == "state_dir":
            # Not the user's own receipts: the demo bidders' stay with the sandbox.
            action.help = (
                "演示投标人的回执目录（默认在沙箱数据目录中）/ folder for the demo bidders'"
                " receipts (default: in the sandbox's data)"
            )
    p.add_argument(
        "--sandbox-json",
        required=True,
        metavar="PATH",
        help="沙箱平台数据目录中的 sandbox.json / sandbox.json in the sandbox platform's data",
    )
    p.add_argument(
        "--minutes",
        default="10",
        help="距投标截止与开标的分钟数（默认 10）/ minutes to the deadline and opening (10)",
    )
    p.add_argument(
        "--me",
        metavar="ORG_CODE",
        help="您作为此演示投标人自己投标（统一社会信用代码）/ you bid yourself as this demo bidder",
    )
    p.add_argument(
        "--bids",
        help="演示投标数（默认：凑足 3 家）/ number of demo bids (default: enough for 3)",
    )
    p.add_argument(
        "--follow",
        action="store_true",
        help="演示投标人自行签到、解密、签认，直到开标结束 / demo bidders sign in, decrypt and"
        " confirm until the opening finishes",
    )
    p.add_argument(
        "--demo-host",
        action="store_true",
        help="演示主持人自行主持开标，记录人、监督人自行签署（与 --follow 一起用）/ the demo host runs"
        " the opening, its recorder and supervisor sign (with --follow)",
    )
    p.add_argument(
        "--section",
        help="跟进已创建的练习标段（与 --follow 一起用）/ follow a practice section made before"
        " (with --follow)",
    )
    p.set_defaults(func=cmd_practice)
