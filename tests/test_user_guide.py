"""The user guides (docs/user-guide.zh_CN.md, docs/user-guide.en.md) against the app itself.

Every picture and local link in a guide resolves to a file; every UI label or message a guide
quotes is one the app really shows; both guides have the same numbered sections. A renamed
button, a reworded error or a screenshot that was removed makes this fail, so the guides cannot
silently drift away from the program.

How a quote is marked: the Chinese guide puts the app's own words in 「」, the English guide in
**bold**. Inside a quote, the parts that change at run time (a file name, a time) are written
as "……" (Chinese) or "..." (English) and match anything. A quote passes when it is found in one
string of the app: for Chinese, a <translation> of ui/i18n/sealbid_zh_CN.ts; for English, a
<source>; for both, a string in the Python sources (the errors and findings that carry their own
two languages) or in the installer script. Keyboard accelerators ("(&L)", "&") are ignored.
No Qt is needed: the .ts file is read with xml.etree and the sources with ast.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ZH_GUIDE = DOCS / "user-guide.zh_CN.md"
EN_GUIDE = DOCS / "user-guide.en.md"
TS_FILE = ROOT / "ui" / "i18n" / "sealbid_zh_CN.ts"
NSI_FILE = ROOT / "installer" / "sealbid.nsi"
# The packages whose strings reach a user: the app, its errors, the platform's error texts
# (shown after ours as "（平台：…）"), the reports.
SOURCE_PACKAGES = ("ui", "sealbid", "crypto", "client", "reports", "server")

ZH_WILDCARD = "……"
_CJK = re.compile(r"[\u3400-\u9fff]")
EN_WILDCARD = "..."


# --- reading the guides ----------------------------------------------------------------------


def _prose(text: str) -> str:
    """The guide without fenced code blocks and inline code (commands are not UI labels)."""
    text = re.sub(r"^\s*```.*?^\s*```[^\n]*$", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def zh_quotes(text: str) -> list[str]:
    return re.findall(r"「([^」]+)」", _prose(text))


def en_quotes(text: str) -> list[str]:
    return re.findall(r"\*\*(.+?)\*\*", _prose(text))


def _outside_code(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def headings(text: str) -> list[tuple[int, str]]:
    """(level, section number such as "3.4") of every numbered heading below the title."""
    out = []
    for line in _outside_code(text):
        m = re.match(r"^(#{2,6})\s+(\d+(?:\.\d+)*)\.?\s", line)
        if m:
            out.append((len(m.group(1)), m.group(2)))
    return out


def all_headings(text: str) -> list[int]:
    return [len(m.group(1)) for line in _outside_code(text) if (m := re.match(r"^(#+)\s", line))]


def local_links(text: str) -> list[tuple[bool, str]]:
    """(is an image, target) of every link that is not a web address or an anchor."""
    out = []
    for bang, target in re.findall(r"(!?)\[[^\]]*\]\(([^)\s]+)\)", _prose(text)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        out.append((bang == "!", target.split("#", 1)[0]))
    return out


# --- what the app says -----------------------------------------------------------------------


def normalise(text: str) -> str:
    """Accelerators out ("密封(&L)…" → "密封…", "Sea&l…" → "Seal…"), whitespace collapsed."""
    text = re.sub(r"\(&[^)]\)", "", text)
    text = text.replace("&&", "\0")
    text = re.sub(r"&(?=\S)", "", text)
    text = text.replace("\0", "&")
    return re.sub(r"\s+", " ", text).strip()


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                ids.add(id(body[0].value))
    return ids


def python_strings(path: Path) -> set[str]:
    """Every string literal of a module except docstrings; an f-string as its template, each
    replacement field written "{}" (a quote's wildcard matches it)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    skip = _docstrings(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            out.add(node.value)
        elif isinstance(node, ast.JoinedStr):
            out.add(
                "".join(
                    str(v.value) if isinstance(v, ast.Constant) else "{}"
                    for v in node.values
                    if isinstance(v, ast.Constant | ast.FormattedValue)
                )
            )
    return out


def installer_strings() -> set[str]:
    """The installer's texts: its LangStrings and its named !defines (the Start-menu name)."""
    text = NSI_FILE.read_text("utf-8")
    found = re.findall(r'^\s*LangString\s+\w+\s+\$\{LANG_\w+\}\s+"(.*)"\s*$', text, flags=re.M)
    found += re.findall(r'^\s*!define\s+\w+\s+"(.*)"\s*$', text, flags=re.M)
    return set(found)


def ts_strings() -> tuple[set[str], set[str]]:
    """(<source> texts, <translation> texts, plural forms included) of the zh_CN translation."""
    sources, translations = set(), set()
    # The repository's own translation file, not untrusted input.
    for message in ET.parse(TS_FILE).getroot().iter("message"):  # noqa: S314
        source = message.find("source")
        if source is not None and source.text:
            sources.add(source.text)
        translation = message.find("translation")
        if translation is None:
            continue
        forms = [f.text for f in translation.iter("numerusform") if f.text]
        translations.update(forms or ([translation.text] if translation.text else []))
    return sources, translations


@cache
def candidates(language: str) -> tuple[str, ...]:
    sources, translations = ts_strings()
    own: set[str] = set()
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            own |= python_strings(path)
    own |= installer_strings()
    if language == "zh":
        # The sources' English (the tr() arguments among them) is no Chinese label.
        strings = translations | {s for s in own if _CJK.search(s)}
    else:
        strings = sources | own
    return tuple(sorted({normalise(s) for s in strings if s.strip()}))


def quote_pattern(quote: str, wildcard: str) -> tuple[re.Pattern[str], str]:
    """(a regex for the quote with its wildcards, its longest literal part for a fast filter)."""
    parts = [normalise(p) for p in normalise(quote).split(wildcard)]
    literal = max(parts, key=len)
    if len(literal) < 2:
        raise ValueError(f"a quote needs some literal text: {quote!r}")
    regex = ".*?".join(re.escape(p) for p in parts)
    return re.compile(regex, re.S), literal


def is_app_text(quote: str, language: str) -> bool:
    wildcard = ZH_WILDCARD if language == "zh" else EN_WILDCARD
    pattern, literal = quote_pattern(quote, wildcard)
    return any(literal in s and pattern.search(s) for s in candidates(language))


def unknown_quotes(quotes: list[str], language: str) -> list[str]:
    return sorted({q for q in quotes if not is_app_text(q, language)})


# --- the checks -------------------------------------------------------------------------------

GUIDES = [pytest.param(ZH_GUIDE, "zh_CN", id="zh_CN"), pytest.param(EN_GUIDE, "en_US", id="en_US")]


@pytest.mark.parametrize(("guide", "lang"), GUIDES)
def test_every_picture_and_local_link_resolves(guide: Path, lang: str) -> None:
    links = local_links(guide.read_text("utf-8"))
    images = [target for is_image, target in links if is_image]
    assert len(images) >= 8, f"{guide.name}: expected the screenshots, found {images}"
    missing = [t for _, t in links if not (guide.parent / t).is_file()]
    assert not missing, f"{guide.name}: links to files that do not exist: {missing}"
    # Each guide shows the screens in its own language.
    other = [t for t in images if t.startswith("images/ui/") and f"/{lang}-" not in t]
    assert not other, f"{guide.name}: screenshots of the other language: {other}"


def test_chinese_quotes_are_the_apps_words() -> None:
    quotes = zh_quotes(ZH_GUIDE.read_text("utf-8"))
    assert len(quotes) >= 150, f"only {len(quotes)} 「」 quotes found: is the marker still 「」?"
    missing = unknown_quotes(quotes, "zh")
    assert not missing, (
        "the Chinese guide quotes text the app does not show (renamed in the .ts or the "
        "sources?):\n" + "\n".join(missing)
    )


def test_english_quotes_are_the_apps_words() -> None:
    quotes = en_quotes(EN_GUIDE.read_text("utf-8"))
    assert len(quotes) >= 150, f"only {len(quotes)} **bold** quotes found: is the marker still **?"
    missing = unknown_quotes(quotes, "en")
    assert not missing, (
        "the English guide quotes text the app does not show (renamed in the sources?):\n"
        + "\n".join(missing)
    )


def test_both_guides_have_the_same_sections() -> None:
    zh, en = ZH_GUIDE.read_text("utf-8"), EN_GUIDE.read_text("utf-8")
    assert headings(zh) == headings(en)
    assert all_headings(zh) == all_headings(en)
    top = [number for level, number in headings(zh) if level == 2]
    assert top == [str(n) for n in range(1, 9)], top


def test_the_quote_check_tells_real_text_from_made_up_text() -> None:
    """The checker itself: a real button, a real message with its run-time parts left out, and
    the same with one word changed (as after a rename) — only the real ones pass."""
    assert is_app_text("密封…", "zh")  # the translation is "密封(&L)…"
    assert is_app_text("Seal…", "en")  # the source is "Sea&l…"
    assert is_app_text("证书“……”已于 …… 过期。", "zh")
    assert is_app_text("Certificate '...' expired at ....", "en")
    assert not is_app_text("加密并封存…", "zh")
    assert not is_app_text("Encrypt and seal…", "en")
    assert not is_app_text("证书“……”已于 …… 失效。", "zh")
    # An English source is not a Chinese label, nor the other way round.
    assert not is_app_text("Opening console", "zh")
    assert not is_app_text("开标主持台", "en")
    with pytest.raises(ValueError):
        quote_pattern("……", ZH_WILDCARD)


def test_quotes_are_found_outside_code_only() -> None:
    text = "点「密封」。\n```sh\necho 「不是标签」 **not a label**\n```\n再按 `「也不是」` 和 **Seal**。"
    assert zh_quotes(text) == ["密封"]
    assert en_quotes(text) == ["Seal"]
    assert headings("## 1. 这是什么\n```\n## 2. 代码里\n```\n### 1.1 小节\n") == [
        (2, "1"),
        (3, "1.1"),
    ]
