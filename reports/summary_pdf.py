"""The bidder's own bid summary (开标一览表) as a printable PDF (A4 portrait).

    pdf = render_summary(section.form, {"price": "1234567.89", "duration": 360, ...},
                         section=section, bidder={"name": "合肥某某建设有限公司",
                                                  "org_code": "91340100MA0000002N"})

The form's fields as a two-column table (label, value): money in figures with its unit and in
大写 (:mod:`sealbid.money`), other values with their unit; then a signature and seal box
(投标人（盖章）, 法定代表人或其委托代理人（签字）, 日期). The renderer shows the values as given and
does not validate them against the form (sealing does that); a money value that is not an exact
amount is shown as written. Deterministic: the creation date is the section's ``opening_time``
(or ``deadline``), never the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer, Table  # type: ignore[import-untyped]

from client import wire

from ._layout import (
    LABEL_BG,
    PdfMeta,
    Styles,
    build_pdf,
    draw_footer,
    grid_style,
    money_lines,
    parse_time,
)
from .fonts import load_fonts

__all__ = ["render_summary"]

PAGE = A4
MARGIN = 20 * mm
WIDTH = PAGE[0] - 2 * MARGIN


def _value(field: wire.FormField, summary: Mapping[str, Any], st: Styles) -> Any:
    if field.key not in summary or summary[field.key] in (None, ""):
        return st.c("—" if not field.required else "（未填写 / not filled in）", st.cell)
    value = summary[field.key]
    if field.type == "money":
        figures, capitals = money_lines(value, field.unit, None)
        return st.cl([figures, (capitals or "", st.cell)], st.cell)
    text = str(value) if not isinstance(value, Decimal) else format(value, "f")
    return st.c(f"{text} {field.unit}" if field.unit else text, st.cell)


def render_summary(
    form: wire.SummaryForm,
    summary: Mapping[str, Any],
    *,
    section: wire.Section | Mapping[str, Any],
    bidder: Mapping[str, Any],
) -> bytes:
    """The bid summary as PDF bytes. ``bidder``: ``name`` and ``org_code``; ``section``: a
    :class:`wire.Section` or a dict with at least ``id``/``code``/``name`` (a record's
    ``section``); a ``project`` dict inside it, when present, adds the project's name."""
    fonts = load_fonts()
    st = Styles.for_fonts(fonts, cell_size=10.5)
    sec = section.model_dump(mode="json") if isinstance(section, wire.Section) else dict(section)
    project = sec.get("project") if isinstance(sec.get("project"), Mapping) else None
    L = st.label

    head: list[list[Any]] = []
    if project:
        head.append(
            [st.c("项目名称", L), st.c(f"{project.get('name', '—')}（{project.get('code', '—')}）")]
        )
    head += [
        [st.c("标段（包）名称", L), st.c(str(sec.get("name", "—")))],
        [st.c("标段（包）编号", L), st.c(str(sec.get("code", sec.get("id", "—"))))],
        [st.c("投标人", L), st.c(str(bidder.get("name", "—")))],
        [st.c("统一社会信用代码", L), st.c(str(bidder.get("org_code") or "—"), st.mono)],
    ]
    rows: list[list[Any]] = [[st.c("项目", st.head), st.c("投标内容", st.head)]]
    for field in form.fields:
        label = field.label + (f"（{field.unit}）" if field.unit and field.type == "money" else "")
        rows.append([st.c(label, L), _value(field, summary, st)])
    label_w = 45 * mm
    style_extra = [("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
    seal = Table(
        [
            [st.c("投标人（盖章）：", st.label), st.c("（盖章处 / seal）", st.small)],
            [st.c("法定代表人或其委托代理人（签字）：", st.label), ""],
            [st.c("日期：　　　　年　　月　　日", st.label), ""],
        ],
        colWidths=[WIDTH * 0.55, WIDTH * 0.45],
        rowHeights=[28 * mm, 16 * mm, 12 * mm],
        style=grid_style(
            fonts.main,
            header_rows=0,
            extra=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (1, 0), (1, 2))],
        ),
    )
    story: list[Flowable] = [
        st.p("开标一览表", st.title),
        st.p("Bid Summary Form", st.subtitle),
        Spacer(1, 8 * mm),
        Table(
            head,
            colWidths=[label_w, WIDTH - label_w],
            style=grid_style(fonts.main, header_rows=0, extra=style_extra),
        ),
        Spacer(1, 5 * mm),
        Table(
            rows,
            colWidths=[label_w, WIDTH - label_w],
            repeatRows=1,
            style=grid_style(fonts.main, extra=[("BACKGROUND", (0, 1), (0, -1), LABEL_BG)]),
        ),
        Spacer(1, 8 * mm),
        seal,
        Spacer(1, 4 * mm),
        st.p(
            "注：本表内容与密封投标文件中的开标一览表一致，开标时由交易平台解密后公布（唱标）。"
            " / The same summary is sealed inside the bid and read out at the opening.",
            st.note,
        ),
    ]

    def footer(canvas: Any, page: int, total: int) -> None:
        draw_footer(
            canvas,
            fonts=fonts,
            page=page,
            total=total,
            pagesize=PAGE,
            left_text=f"开标一览表 · {sec.get('code', sec.get('id', ''))} · {bidder.get('name', '')}",
            margin=MARGIN,
        )

    created = parse_time(sec.get("opening_time")) or parse_time(sec.get("deadline"))
    content = json.dumps(
        {
            "form": form.model_dump(mode="json"),
            "summary": dict(summary),
            "section": sec,
            "bidder": dict(bidder),
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    meta = PdfMeta(
        title=f"开标一览表 {sec.get('code', '')} {bidder.get('name', '')}".strip(),
        created=created or parse_time("2000-01-01T00:00:00Z"),  # type: ignore[arg-type]
        seed=f"summary:{content}",
        subject="SealBid bid summary form",
        author=str(bidder.get("name", "")),
    )
    return build_pdf(
        story,
        meta=meta,
        pagesize=PAGE,
        footer=footer,
        fonts=fonts,
        margins=(MARGIN, MARGIN, 18 * mm, 18 * mm),
    )
