"""Printing a signed PDF (the opening record) from the app: rasterise with pdfium, paint on Qt.

    images = render_pages(pdf, dpi=300)            # a worker: list[QImage], one per page
    printed = paint_pages(images, printer)         # the GUI thread: one image per printer page
    printed = print_pdf(pdf, printer)              # both at once (a PDF-file printer, a script)
    task = preview_and_print(parent, pdf, "开标记录") # render in a worker, then the preview dialog

Qt's own PDF module (QtPdf) is not part of PySide6-Essentials, so pages are rendered by pdfium
(pypdfium2) into images and painted onto the ``QPrinter``, each page scaled to the printer's
page rect (aspect kept, centred), one PDF page per printer page. Rendering is the slow part and
runs in a worker; a real printer device is driven from the GUI thread only, so the painting
happens there, from the images already made.

pdfium is not thread-safe: every call into it here holds one module lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from sealbid.errors import CancelledError

from .tasks import Job, Task, run_task

__all__ = [
    "MAX_PRINT_DPI",
    "PrintRecordDialog",
    "RenderedPdf",
    "fit_rect",
    "page_indices",
    "paint_pages",
    "prepare_printer",
    "preview_and_print",
    "print_dpi",
    "print_pdf",
    "render_for_print",
    "render_pages",
]

MAX_PRINT_DPI = 300
"""Pages are rendered for a printer at its resolution, but never finer than this: 300 dpi is
what office laser printers resolve, and a 1200 dpi A4 page would be a 500 MB image."""

MIN_PRINT_DPI = 100
"""The floor when a long document must be rendered coarser to stay within the memory budget."""

RENDER_BUDGET = 512 * 1024 * 1024
"""Bytes the rendered pages of one print job may take together (4 bytes a pixel): a 20-page
A4 record still prints at 300 dpi (35 MB a page); a longer one is rendered coarser."""

MAX_COPIES = 99

_pdfium_lock = threading.Lock()


class _Cancelled(CancelledError):
    pass


def _pdfium() -> Any:
    # Imported when first needed: loading pdfium is not worth the app's start-up time.
    import pypdfium2  # type: ignore[import-untyped]  # ships no type hints

    return pypdfium2


def _check(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise _Cancelled("printing cancelled")


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in PDF points (1/72 in), as displayed (rotation applied)."""
    with _pdfium_lock:
        doc = _pdfium().PdfDocument(pdf)
        try:
            sizes = []
            for i in range(len(doc)):
                page = doc[i]
                try:
                    w, h = page.get_size()
                    if page.get_rotation() in (90, 270):
                        w, h = h, w
                    sizes.append((float(w), float(h)))
                finally:
                    page.close()
            return sizes
        finally:
            doc.close()


def render_pages(
    pdf: bytes,
    dpi: int,
    *,
    pages: Sequence[int] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[QImage]:
    """The PDF's pages (0-based ``pages``, default all) as images at ``dpi`` (white
    background, 32-bit RGB). A worker's call: it takes a while for many pages. Each image owns
    its pixels (copied out of pdfium's buffer) and knows its resolution."""
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    images: list[QImage] = []
    dots_per_meter = round(dpi / 0.0254)
    with _pdfium_lock:
        doc = _pdfium().PdfDocument(pdf)
        try:
            wanted = range(len(doc)) if pages is None else pages
            for i in wanted:
                _check(cancel)
                page = doc[i]
                try:
                    # BGRx little-endian is QImage's Format_RGB32 (0xffRRGGBB) byte for byte.
                    bitmap = page.render(scale=dpi / 72.0, prefer_bgrx=True)
                    try:
                        if bitmap.n_channels != 4:  # pragma: no cover - pdfium chose otherwise
                            raise ValueError(f"unexpected bitmap format {bitmap.mode}")
                        data = bytes(bitmap.buffer)
                        image = QImage(
                            data,
                            bitmap.width,
                            bitmap.height,
                            bitmap.stride,
                            QImage.Format.Format_RGB32,
                        ).copy()  # the copy owns its pixels: ``data`` and pdfium's bitmap go
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                image.setDotsPerMeterX(dots_per_meter)
                image.setDotsPerMeterY(dots_per_meter)
                images.append(image)
        finally:
            doc.close()
    return images


@dataclass(frozen=True)
class RenderedPdf:
    """A PDF rendered for printing: one image per page, and the page sizes in points."""

    images: tuple[QImage, ...]
    sizes: tuple[tuple[float, float], ...]
    dpi: int

    @property
    def landscape(self) -> bool:
        """The first page is wider than tall (the opening record: A4 landscape)."""
        return bool(self.sizes) and self.sizes[0][0] > self.sizes[0][1]


def render_for_print(
    pdf: bytes, dpi: int, *, cancel: Callable[[], bool] | None = None
) -> RenderedPdf:
    """Every page rendered at ``dpi`` capped at :data:`MAX_PRINT_DPI`, and coarser (not below
    :data:`MIN_PRINT_DPI`) when all pages together would exceed :data:`RENDER_BUDGET`."""
    sizes = _page_sizes(pdf)
    dpi = max(1, min(dpi, MAX_PRINT_DPI))
    area_in2 = sum(w * h for w, h in sizes) / (72.0 * 72.0)
    if area_in2 > 0:
        fits = int((RENDER_BUDGET / 4 / area_in2) ** 0.5)
        if fits < dpi:
            dpi = max(min(dpi, MIN_PRINT_DPI), fits)
    images = render_pages(pdf, dpi, cancel=cancel)
    return RenderedPdf(images=tuple(images), sizes=tuple(sizes), dpi=dpi)


def print_dpi(printer: QPrinter) -> int:
    """The resolution to render for ``printer``: its own, capped at :data:`MAX_PRINT_DPI`."""
    res = printer.resolution()
    return max(MIN_PRINT_DPI, min(res if res > 0 else MAX_PRINT_DPI, MAX_PRINT_DPI))


def fit_rect(width: float, height: float, target: QRectF) -> QRectF:
    """The largest rect of ``width``:``height`` inside ``target``, centred."""
    if width <= 0 or height <= 0:
        return QRectF(target)
    scale = min(target.width() / width, target.height() / height)
    w, h = width * scale, height * scale
    return QRectF(
        target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h
    )


def page_indices(printer: QPrinter, count: int) -> list[int]:
    """The 0-based pages ``printer`` asks for: its page range (``fromPage``/``toPage``, 1-based,
    0 = no bound) clipped to the document, in the printer's page order."""
    # As QTextDocument.print does: a range set (by the print dialog or the caller) counts;
    # 0/0 is "every page".
    first, last = printer.fromPage(), printer.toPage()
    first = max(1, first or 1)
    last = min(count, last or count)
    indices = list(range(first - 1, last))
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        indices.reverse()
    return indices


def paint_pages(
    images: Sequence[QImage],
    printer: QPrinter,
    *,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Paint the rendered pages onto ``printer``: the pages in its range, each on its own
    printer page, scaled into the page rect (aspect kept, centred); copies too when the
    printer does not make them itself. Returns the printer pages painted (0: nothing, or the
    printer could not be opened). On the GUI thread for a real printer."""
    indices = page_indices(printer, len(images))
    if not indices:
        return 0
    copies = 1
    if not printer.supportsMultipleCopies():
        copies = max(1, min(printer.copyCount(), MAX_COPIES))
    if copies > 1 and printer.collateCopies():
        sequence = indices * copies
    else:
        sequence = [i for i in indices for _ in range(copies)]
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # The device's own coordinates: (0, 0) is the printable area's corner (or the paper's,
        # for a full-page printer); its size is what a page may use.
        area = QRectF(0, 0, printer.width(), printer.height())
        for n, i in enumerate(sequence):
            if cancel is not None and cancel():
                printer.abort()
                break
            if n and not printer.newPage():
                break
            image = images[i]
            painter.drawImage(fit_rect(image.width(), image.height(), area), image)
            printed += 1
    finally:
        painter.end()
    return printed


def print_pdf(pdf: bytes, printer: QPrinter, *, cancel: Callable[[], bool] | None = None) -> int:
    """Render ``pdf`` for ``printer`` and paint it (see :func:`paint_pages`); returns the
    printer pages painted. Renders here and now: from the GUI thread, render first in a worker
    (:func:`render_for_print`) and call :func:`paint_pages`."""
    rendered = render_for_print(pdf, print_dpi(printer), cancel=cancel)
    return paint_pages(rendered.images, printer, cancel=cancel)


def prepare_printer(printer: QPrinter, title: str, *, landscape: bool) -> None:
    """A4, the document's orientation, the title as the print job's name."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    printer.setDocName(title)


class PrintRecordDialog(QPrintPreviewDialog):
    """The print preview of a rendered PDF; its print button goes through Qt's print dialog,
    which paints the same pages onto the chosen printer (its range and copies)."""

    def __init__(self, rendered: RenderedPdf, title: str, parent: QWidget | None = None) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, title, landscape=rendered.landscape)
        super().__init__(printer, parent)
        self._printer = printer  # the dialog does not own it: kept alive with the dialog
        self.rendered = rendered
        self.pages_painted = 0
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.paintRequested.connect(self._paint)

    def _paint(self, printer: QPrinter) -> None:
        self.pages_painted = paint_pages(self.rendered.images, printer)


def _render_job(job: Job, pdf: bytes, dpi: int) -> RenderedPdf:
    return render_for_print(pdf, dpi, cancel=job.cancelled)


def preview_and_print(
    parent: QWidget | None,
    pdf: bytes,
    title: str,
    *,
    on_open: Callable[[PrintRecordDialog], None] | None = None,
) -> Task:
    """A task that renders ``pdf`` in a worker, then opens the print preview (not blocking:
    ``open()``); ``on_open(dialog)`` is called with it first. The caller adds ``on_error`` (a
    PDF pdfium cannot read) and starts it."""

    def opened(rendered: RenderedPdf) -> None:
        dialog = PrintRecordDialog(rendered, title, parent)
        if on_open is not None:
            on_open(dialog)
        dialog.open()

    return run_task(_render_job, pdf, MAX_PRINT_DPI).on_done(opened)
