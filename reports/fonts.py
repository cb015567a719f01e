"""CJK fonts for the PDFs: find them, register them with reportlab, and split text by font.

Every character of a record is drawn with a font that has its glyph. The main font is
WenQuanYi Zen Hei (GPL-2 with the font embedding exception: embedding and redistribution are
allowed); Hanazono Mincho A and B (free licence) cover what it lacks (CJK Ext. B such as 𠮷
U+20BB7 and 𡈽 U+2123D); on Windows SimHei and SimSun come last. reportlab subsets every
TrueType font it uses into each PDF, so a PDF needs no font on the reader's machine::

    fonts = load_fonts()                          # raises NoCJKFontError when none is found
    para = Paragraph(fonts.markup("合肥𠮷祥建设有限公司"), style)
    with collect_missing() as missing:            # characters no font has, for a warning
        pdf = render_record(doc)
    if missing: print("无字形 / no glyph:", " ".join(f"U+{ord(c):04X}" for c in missing))

A character that no font has is never dropped: it is drawn as ``□U+XXXX`` (in red) and reported
through :func:`collect_missing` and :func:`missing_characters`.

Fonts are looked up in the bundled folder first (``reports/fonts/``, where the installer puts
them), then in the system folders (Debian's ``/usr/share/fonts/…``, Windows' ``Fonts``).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

# reportlab ships no type hints (no py.typed, no stubs in the environment): its names are Any.
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFError, TTFont  # type: ignore[import-untyped]

from sealbid.errors import SealBidError

__all__ = [
    "BUNDLED_DIR",
    "FontSet",
    "NoCJKFontError",
    "collect_missing",
    "font_dirs",
    "load_fonts",
    "missing_characters",
]

BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"
"""Fonts shipped with the app (the installer copies them here); searched first."""

REPLACEMENT_COLOR = "#c00000"


class NoCJKFontError(SealBidError):
    """No font that can draw Chinese was found: a PDF would show empty boxes."""

    code = "report.no_font"
    zh = (
        "找不到中文字体，无法生成 PDF。请重新安装 SealBid，或安装文泉驿正黑（fonts-wqy-zenhei）"
        "后重试。已查找：{where}"
    )
    en = (
        "No Chinese (CJK) font was found, so the PDF cannot be made. Reinstall SealBid, or"
        " install WenQuanYi Zen Hei (fonts-wqy-zenhei), and try again. Looked in: {where}"
    )


@dataclass(frozen=True)
class _Candidate:
    name: str
    """The name the font is registered under with reportlab."""
    files: tuple[str, ...]
    """File names to look for (the first found is used)."""
    subfont: int = 0
    """Index of the face inside a TrueType collection (.ttc)."""
    main: bool = True
    """Eligible as the main font (a full CJK font with Latin letters and digits)."""


# In order of preference. Each later font only draws the characters the earlier ones lack.
_CANDIDATES = (
    _Candidate("SealBid-WQYZenHei", ("wqy-zenhei.ttc",)),
    _Candidate("SealBid-HanaMinA", ("HanaMinA.ttf",), main=False),
    _Candidate("SealBid-HanaMinB", ("HanaMinB.ttf",), main=False),
    _Candidate("SealBid-SimHei", ("simhei.ttf", "SimHei.ttf")),
    _Candidate("SealBid-SimSun", ("simsun.ttc", "SimSun.ttc")),
)
# Monospaced Latin for digests, when the main font is WenQuanYi (face 1 of the collection).
_MONO = _Candidate("SealBid-WQYZenHeiMono", ("wqy-zenhei.ttc",), subfont=1)


def font_dirs() -> list[Path]:
    """Where fonts are looked for, in order: the bundled folder (also inside a PyInstaller
    bundle), then the system's font folders."""
    dirs = [BUNDLED_DIR]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "reports" / "fonts")
    dirs += [
        Path("/usr/share/fonts/truetype/wqy"),
        Path("/usr/share/fonts/truetype/hanazono"),
        Path("/usr/share/fonts/wqy-zenhei"),  # Fedora
        Path("/usr/local/share/fonts"),
        Path.home() / ".local" / "share" / "fonts",
        Path.home() / ".fonts",
    ]
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    dirs.append(Path(windir) / "Fonts")
    return dirs


def _find(candidate: _Candidate, dirs: Sequence[Path]) -> Path | None:
    for d in dirs:
        for name in candidate.files:
            path = d / name
            if path.is_file():
                return path
    return None


@dataclass(frozen=True)
class _Face:
    name: str
    path: Path
    codepoints: frozenset[int] = field(repr=False)


_missing_var: ContextVar[set[str] | None] = ContextVar("sealbid_missing_glyphs", default=None)


def _missing_sink() -> set[str] | None:
    """The set of the innermost :func:`collect_missing` block, if any."""
    return _missing_var.get()


@contextmanager
def collect_missing() -> Iterator[set[str]]:
    """Collect the characters that no font could draw while rendering inside the block.

    The set is filled as PDFs are rendered in this thread or task; nested blocks each get
    their own set.
    """
    found: set[str] = set()
    token = _missing_var.set(found)
    try:
        yield found
    finally:
        _missing_var.reset(token)


@dataclass(frozen=True)
class FontSet:
    """The registered fonts, main first, and how to split text among them."""

    faces: tuple[_Face, ...]
    mono: str
    """Font for hex digests (monospaced when available, else the main font)."""

    @property
    def main(self) -> str:
        return self.faces[0].name

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(f.path for f in self.faces)

    def font_for(self, char: str) -> str | None:
        """The first font that has a glyph for ``char``, or None."""
        cp = ord(char)
        for face in self.faces:
            if cp in face.codepoints:
                return face.name
        return None

    def runs(self, text: str) -> list[tuple[str | None, str]]:
        """``text`` as runs of (font name, characters); None marks characters no font has.
        Line breaks and tabs stay with the run before them (no font draws them)."""
        out: list[tuple[str | None, str]] = []
        for char in text:
            if char in "\n\r\t":
                font: str | None = out[-1][0] if out else self.main
            else:
                font = self.font_for(char)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + char)
            else:
                out.append((font, char))
        return out

    def missing(self, text: str) -> list[str]:
        """The distinct characters of ``text`` no font has, in order of first appearance."""
        seen: dict[str, None] = {}
        for font, chars in self.runs(text):
            if font is None:
                seen.update(dict.fromkeys(chars))
        return list(seen)

    def markup(self, text: str, *, font: str | None = None) -> str:
        """Paragraph markup for plain ``text``: escaped, each run in the font that has its
        glyphs, line breaks as ``<br/>``, missing characters as a red ``□U+XXXX``.

        ``font`` is the paragraph's own font (default: the main font); runs in it are not
        wrapped in a ``<font>`` tag.
        """
        base = font or self.main
        parts: list[str] = []
        sink = _missing_sink()
        for name, chars in self.runs(text):
            if name is None:
                if sink is not None:
                    sink.update(chars)
                shown = "".join(f"□U+{ord(c):04X}" for c in chars)
                parts.append(f'<font name="{self.main}" color="{REPLACEMENT_COLOR}">{shown}</font>')
                continue
            body = escape(chars).replace("\r\n", "\n").replace("\n", "<br/>")
            # A run in the main font keeps the paragraph's font (which may be the mono one).
            if name == base or (name == self.main and base == self.mono):
                parts.append(body)
            else:
                parts.append(f'<font name="{name}">{body}</font>')
        return "".join(parts)


_lock = threading.Lock()
_loaded: dict[tuple[Path, ...], FontSet] = {}


class _TTFont(TTFont):  # type: ignore[misc]  # reportlab is untyped
    """reportlab's TrueType font with a correct ToUnicode map for characters beyond the BMP.

    reportlab 5.1 writes each subset's ToUnicode entry as ``<%04X>``, which gives five hex
    digits for U+20BB7 (𠮷): a broken map, and text extraction (pdftotext, search, copy and
    paste, the verifier comparing the PDF's text with the record) reads the wrong character.
    The map must give UTF-16BE; this rewrites the entries of the subsets that need it.
    """

    def addObjects(self, doc: Any) -> None:
        # reportlab drops the document's font state at the end of addObjects: note the
        # subsets that need the fix (and their names) first.
        state = self.state.get(doc)
        todo = [
            (self.getSubsetInternalName(n, doc)[1:], list(subset))
            for n, subset in enumerate(state.subsets if state is not None else ())
            if any(cp > 0xFFFF for cp in subset)
        ]
        super().addObjects(doc)
        for internal_name, subset in todo:
            pdf_font = doc.idToObject[internal_name]
            stream = doc.idToObject[pdf_font.ToUnicode.name]
            stream.content = _to_unicode_cmap(str(pdf_font.BaseFont), subset)


def _utf16_hex(cp: int) -> str:
    return chr(cp).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_utf16_hex(cp)}>" for i, cp in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def _register(candidate: _Candidate, path: Path) -> _Face | None:
    try:
        font = _TTFont(candidate.name, str(path), subfontIndex=candidate.subfont)
    except (TTFError, OSError, ValueError, KeyError):
        # An unreadable file, a collection without that face, or a font whose licence bits
        # forbid embedding: skip it and try the next candidate.
        return None
    pdfmetrics.registerFont(font)
    return _Face(candidate.name, path, frozenset(font.face.charToGlyph))


def load_fonts(dirs: Sequence[Path] | None = None) -> FontSet:
    """Find and register the fonts (once per process for the same folders).

    Raises :class:`NoCJKFontError` when no main font (WenQuanYi Zen Hei, SimHei or SimSun) is
    found; the fallbacks alone are not enough (Hanazono has no proper Latin digits width).
    """
    key = tuple(font_dirs() if dirs is None else dirs)
    with _lock:
        cached = _loaded.get(key)
        if cached is not None:
            return cached
        faces: list[_Face] = []
        mono: str | None = None
        # The main font is the first main-eligible candidate found; every other candidate
        # found is a fallback, in the order of the list.
        found = [(c, _find(c, key)) for c in _CANDIDATES]
        mains = [(c, p) for c, p in found if c.main and p is not None]
        order = mains[:1] + [(c, p) for c, p in found if p is not None and (c, p) not in mains[:1]]
        for candidate, path in order:
            if path is None:
                continue
            if not faces and not candidate.main:
                continue  # the main font did not load: fallbacks alone draw no Latin
            face = _register(candidate, path)
            if face is None:
                continue
            faces.append(face)
            if candidate is _CANDIDATES[0] and len(faces) == 1:
                mono_face = _register(_MONO, path)
                mono = mono_face.name if mono_face is not None else None
        if not faces:
            raise NoCJKFontError(where="; ".join(str(d) for d in key))
        fonts = FontSet(tuple(faces), mono or faces[0].name)
        _loaded[key] = fonts
        return fonts


def missing_characters(*texts: str, fonts: FontSet | None = None) -> list[str]:
    """The distinct characters of ``texts`` that no available font can draw."""
    fs = fonts or load_fonts()
    seen: dict[str, None] = {}
    for text in texts:
        seen.update(dict.fromkeys(fs.missing(text)))
    return list(seen)
