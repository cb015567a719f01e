"""Fetch the fonts the PDF records embed from Debian's packages, each one verified (stdlib only).

build.spec bundles three fonts: WenQuanYi Zen Hei (``wqy-zenhei.ttc``) and Hanazono Mincho A/B
(``HanaMinA.ttf``, ``HanaMinB.ttf``). On Debian they come from apt; on a machine without apt (the
Windows CI runner) this script takes the very same files out of the very same ``.deb`` packages.
``installer/fonts.json`` pins each package (version, URLs, size, sha256) and each font (its path
in the package's data archive, size, sha256)::

    python installer/fetch_fonts.py build/fonts          # download, check, extract into build/fonts
    python installer/fetch_fonts.py build/fonts --from-dir /usr/share/fonts/truetype/wqy \\
        --from-dir /usr/share/fonts/truetype/hanazono    # copy local files (apt's), checked
    python installer/fetch_fonts.py --check build/fonts  # only check; names what is wrong

From Python (build.spec), with ``installer/`` on ``sys.path``::

    import fetch_fonts
    fonts = fetch_fonts.verified_fonts([os.environ.get("SEALBID_FONT_DIR", ""),
                                        "/usr/share/fonts/truetype/wqy",
                                        "/usr/share/fonts/truetype/hanazono"])
    # {"wqy-zenhei.ttc": Path(...), ...}; raises FontFetchError naming what is missing or wrong
    fetch_fonts.verify(path, fetch_fonts.font_entries()["HanaMinA.ttf"])  # -> bool

A font already in DEST_DIR with the right size and sha256 is kept and not downloaded again. Every
font is written atomically (a temporary file in DEST_DIR, fsync, ``os.replace``); the fonts of one
package are put in place only once all of them are verified, and on any failure the temporary
files (the downloaded ``.deb`` too) are removed, so DEST_DIR never holds a partial or unverified
font. Fonts verified and put in place before a later package failed are kept: they are complete,
and the next run skips them.

Exit codes: 0 done (``--check``: every font right); 1 a font missing or wrong (``--check``) or a
fetch that failed (network, size or sha256 mismatch, bad archive, disk); 2 bad command line or a
bad manifest. Messages go to stderr, in Chinese and English.

Errors, one root::

    FontFetchError              .zh, .en; str() is both lines
     ├── ManifestError          fonts.json unreadable or malformed
     ├── DownloadError          no URL could be downloaded (each URL's reason is listed)
     ├── IntegrityError         a .deb or font of the wrong size or sha256, or missing locally
     ├── ArchiveError           not a .deb, no data archive, unsupported compression, font absent
     └── WriteError             DEST_DIR cannot be created or written
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import hashlib
import http.client
import importlib
import io
import json
import lzma
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn, cast

__all__ = [
    "MANIFEST",
    "ArchiveError",
    "DownloadError",
    "FontEntry",
    "FontFetchError",
    "IntegrityError",
    "ManifestError",
    "Package",
    "WriteError",
    "check_dir",
    "fetch",
    "font_entries",
    "load_manifest",
    "main",
    "sha256_file",
    "verified_fonts",
    "verify",
]

MANIFEST = Path(__file__).resolve().with_name("fonts.json")
"""The manifest next to this script."""

_CHUNK = 1 << 20
_TEMP_PREFIX = ".fetch_fonts-"
_USER_AGENT = "sealbid-fetch-fonts/1 (+installer/fetch_fonts.py)"
_URL_SCHEMES = ("https", "http", "file")

Log = Callable[[str], None]


# --- errors -------------------------------------------------------------------------------------


class FontFetchError(Exception):
    """The root of this module's errors: a message in Chinese (``zh``) and English (``en``)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")
        self.zh = zh
        self.en = en


class ManifestError(FontFetchError):
    """fonts.json cannot be read or does not have the expected shape."""


class DownloadError(FontFetchError):
    """None of a package's URLs gave the package (network errors; each URL's reason listed)."""


class IntegrityError(FontFetchError):
    """A .deb or a font has the wrong size or sha256, or a local font is missing."""


class ArchiveError(FontFetchError):
    """The .deb is not a Debian package, its data archive is unreadable, or a font is absent."""


class WriteError(FontFetchError):
    """DEST_DIR cannot be created or written."""


# --- the manifest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontEntry:
    """One font file as the manifest pins it."""

    name: str
    """Its file name, in DEST_DIR and in the bundle."""
    path: str
    """Its path inside the package's data archive (``./usr/share/fonts/...``)."""
    size: int
    """Its size in bytes."""
    sha256: str
    """Its SHA-256, lower-case hex."""


@dataclass(frozen=True)
class Package:
    """One Debian binary package that holds some of the fonts."""

    package: str
    version: str
    deb: str
    """The .deb's file name in Debian's pool."""
    size: int
    """The .deb's size in bytes."""
    sha256: str
    """The .deb's SHA-256, lower-case hex (as in Debian's Packages index)."""
    urls: tuple[str, ...]
    """Where to download it, tried in order."""
    fonts: tuple[FontEntry, ...]


def _bad_manifest(where: object, zh: str, en: str) -> ManifestError:
    return ManifestError(f"字体清单 {where} 有误：{zh}", f"Font manifest {where} is invalid: {en}")


def _field(obj: Mapping[str, Any], key: str, kind: type, where: object) -> Any:
    value = obj.get(key)
    # bool is an int in Python; a size of `true` is still wrong.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _bad_manifest(
            where,
            f"字段 “{key}” 缺失或不是 {kind.__name__}",
            f"field '{key}' is missing or not a {kind.__name__}",
        )
    return value


def _sha256_field(obj: Mapping[str, Any], where: object) -> str:
    value = str(_field(obj, "sha256", str, where))
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise _bad_manifest(
            where,
            f"sha256 “{value}” 不是 64 位小写十六进制",
            f"sha256 '{value}' is not 64 lower-case hex digits",
        )
    return value


def _size_field(obj: Mapping[str, Any], where: object) -> int:
    value = int(_field(obj, "size", int, where))
    if value < 0:
        raise _bad_manifest(where, f"大小 {value} 为负数", f"size {value} is negative")
    return value


def _font_name(value: str, where: object) -> str:
    # The name becomes a file in DEST_DIR: a plain name, the same on Windows and POSIX.
    if (
        not value
        or value in (".", "..")
        or any(c in value for c in '/\\:*?"<>|')
        or value.startswith(_TEMP_PREFIX)
    ):
        raise _bad_manifest(
            where,
            f"字体文件名 “{value}” 不是单纯的文件名",
            f"font name '{value}' is not a plain file name",
        )
    return value


def _parse_manifest(data: object, where: object) -> tuple[Package, ...]:
    if not isinstance(data, dict) or data.get("format") != 1:
        raise _bad_manifest(
            where, "不是第 1 版格式（“format”: 1）", 'it is not format 1 ("format": 1)'
        )
    raw_packages = data.get("packages")
    if not isinstance(raw_packages, list) or not raw_packages:
        raise _bad_manifest(where, "“packages” 须为非空列表", "'packages' must be a non-empty list")
    packages: list[Package] = []
    seen: set[str] = set()
    for raw in raw_packages:
        if not isinstance(raw, dict):
            raise _bad_manifest(where, "软件包须为对象", "each package must be an object")
        urls = raw.get("urls")
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise _bad_manifest(
                where, "“urls” 须为非空字符串列表", "'urls' must be a non-empty list of strings"
            )
        for url in urls:
            if urllib.parse.urlsplit(url).scheme not in _URL_SCHEMES:
                raise _bad_manifest(
                    where,
                    f"网址 {url} 须为 https、http 或 file",
                    f"URL {url} must be https, http or file",
                )
        raw_fonts = raw.get("fonts")
        if not isinstance(raw_fonts, list) or not raw_fonts:
            raise _bad_manifest(where, "“fonts” 须为非空列表", "'fonts' must be a non-empty list")
        fonts: list[FontEntry] = []
        for raw_font in raw_fonts:
            if not isinstance(raw_font, dict):
                raise _bad_manifest(where, "字体须为对象", "each font must be an object")
            name = _font_name(str(_field(raw_font, "name", str, where)), where)
            if name in seen:
                raise _bad_manifest(
                    where, f"字体 {name} 出现了两次", f"font {name} is listed twice"
                )
            seen.add(name)
            fonts.append(
                FontEntry(
                    name=name,
                    path=str(_field(raw_font, "path", str, where)),
                    size=_size_field(raw_font, where),
                    sha256=_sha256_field(raw_font, where),
                )
            )
        packages.append(
            Package(
                package=str(_field(raw, "package", str, where)),
                version=str(_field(raw, "version", str, where)),
                deb=str(_field(raw, "deb", str, where)),
                size=_size_field(raw, where),
                sha256=_sha256_field(raw, where),
                urls=tuple(urls),
                fonts=tuple(fonts),
            )
        )
    return tuple(packages)


def load_manifest(path: str | os.PathLike[str] = MANIFEST) -> tuple[Package, ...]:
    """The packages and fonts that ``path`` (default: installer/fonts.json) pins."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise ManifestError(
            f"无法读取字体清单 {path}：{exc}", f"Cannot read the font manifest {path}: {exc}"
        ) from exc
    except ValueError as exc:
        raise _bad_manifest(path, f"不是有效的 JSON（{exc}）", f"not valid JSON ({exc})") from exc
    return _parse_manifest(data, path)


def font_entries(packages: Iterable[Package] | None = None) -> dict[str, FontEntry]:
    """Every font of ``packages`` (default: installer/fonts.json) by its file name."""
    pkgs = load_manifest() if packages is None else packages
    return {font.name: font for pkg in pkgs for font in pkg.fonts}


# --- checking files -----------------------------------------------------------------------------


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file at ``path``, lower-case hex (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _as_entry(entry: FontEntry | Mapping[str, Any]) -> FontEntry:
    if isinstance(entry, FontEntry):
        return entry
    return FontEntry(
        name=str(entry.get("name", "")),
        path=str(entry.get("path", "")),
        size=_size_field(entry, "entry"),
        sha256=_sha256_field(entry, "entry"),
    )


def _problem(path: Path, entry: FontEntry) -> tuple[str, str] | None:
    """Why the file at ``path`` is not ``entry`` (Chinese, English), or None when it is."""
    try:
        if not path.is_file():
            return "缺少", "missing"
        size = path.stat().st_size
        if size != entry.size:
            return (
                f"大小为 {size} 字节，应为 {entry.size}",
                f"size {size} bytes, expected {entry.size}",
            )
        actual = sha256_file(path)
    except OSError as exc:
        return f"无法读取（{exc}）", f"cannot be read ({exc})"
    if actual != entry.sha256:
        return (
            f"sha256 为 {actual}，应为 {entry.sha256}",
            f"sha256 {actual}, expected {entry.sha256}",
        )
    return None


def verify(path: str | os.PathLike[str], entry: FontEntry | Mapping[str, Any]) -> bool:
    """Whether the file at ``path`` has the size and sha256 of ``entry``.

    ``entry`` is a :class:`FontEntry` or a mapping with ``size`` and ``sha256`` (a font object of
    fonts.json). A missing or unreadable file is False.
    """
    return _problem(Path(path), _as_entry(entry)) is None


def check_dir(
    directory: str | os.PathLike[str], packages: Iterable[Package] | None = None
) -> dict[str, tuple[str, str]]:
    """The fonts of ``packages`` that are missing or wrong in ``directory``, with the reason."""
    problems: dict[str, tuple[str, str]] = {}
    for name, entry in font_entries(packages).items():
        problem = _problem(Path(directory) / name, entry)
        if problem is not None:
            problems[name] = problem
    return problems


def verified_fonts(
    dirs: Iterable[str | os.PathLike[str]], packages: Iterable[Package] | None = None
) -> dict[str, Path]:
    """For each font, the first file of that name in ``dirs`` that verifies (empty dirs skipped).

    Raises :class:`IntegrityError` naming every font that no directory has right (and the wrong
    copies it saw), so a build never bundles a font other than the pinned one.
    """
    return _find_verified(font_entries(packages).values(), dirs)


def _find_verified(
    entries: Iterable[FontEntry], dirs: Iterable[str | os.PathLike[str]]
) -> dict[str, Path]:
    search = [Path(d) for d in dirs if str(d)]
    found: dict[str, Path] = {}
    missing: list[tuple[str, str]] = []
    for entry in entries:
        wrong: list[tuple[Path, tuple[str, str]]] = []
        for d in search:
            problem = _problem(d / entry.name, entry)
            if problem is None:
                found[entry.name] = d / entry.name
                break
            if problem[1] != "missing":
                wrong.append((d / entry.name, problem))
        else:
            if wrong:
                zh = "；".join(f"{p}：{why[0]}" for p, why in wrong)
                en = "; ".join(f"{p}: {why[1]}" for p, why in wrong)
            else:
                where = ", ".join(str(d) for d in search) or "-"
                zh, en = f"{where} 中都没有", f"not in any of {where}"
            missing.append((f"{entry.name}（{zh}）", f"{entry.name} ({en})"))
    if missing:
        raise IntegrityError(
            "以下字体缺少或与 installer/fonts.json 不符：" + "；".join(m[0] for m in missing),
            "These fonts are missing or differ from installer/fonts.json: "
            + "; ".join(m[1] for m in missing),
        )
    return found


# --- writing files (as crypto/_files.py does; this script runs before the package is installed) ---


def _unlink_quiet(path: str | os.PathLike[str]) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_dir(directory: Path) -> None:
    # POSIX only: Windows cannot open a directory as a file, and NTFS journals the rename.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_error(path: object, exc: OSError) -> WriteError:
    return WriteError(f"无法写入 {path}：{exc}", f"Cannot write {path}: {exc}")


def _temp_in(dest: Path, suffix: str) -> tuple[int, Path]:
    try:
        fd, name = tempfile.mkstemp(dir=dest, prefix=_TEMP_PREFIX, suffix=suffix)
    except OSError as exc:
        raise _write_error(dest, exc) from exc
    return fd, Path(name)


def _copy_verified(src: IO[bytes], dest: Path, entry: FontEntry, source: str) -> Path:
    """Copy ``src`` into a temporary file in ``dest`` (fsynced) that is ``entry``, or raise.

    The caller renames the returned file into place. Reading stops past ``entry.size``, so a
    wrong source cannot fill the disk. Errors while reading ``src`` propagate as they are (the
    caller knows what the source is); errors while writing are :class:`WriteError`.
    """
    fd, tmp = _temp_in(dest, ".part")
    done = False
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > entry.size:
                    break
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _write_error(tmp, exc) from exc
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _write_error(tmp, exc) from exc
        if size != entry.size:
            raise IntegrityError(
                f"{source} 中的 {entry.name} 大小不符（应为 {entry.size} 字节，实为 "
                f"{'超过 ' if size > entry.size else ''}{size}）",
                f"{entry.name} from {source} has the wrong size ({'over ' if size > entry.size else ''}"
                f"{size} bytes, expected {entry.size})",
            )
        actual = digest.hexdigest()
        if actual != entry.sha256:
            raise IntegrityError(
                f"{source} 中的 {entry.name} sha256 不符（实为 {actual}，应为 {entry.sha256}）",
                f"{entry.name} from {source} has the wrong sha256 ({actual}, expected {entry.sha256})",
            )
        try:
            # mkstemp makes the file private (0600); a font is for every user of the bundle.
            os.chmod(tmp, 0o644)
        except OSError as exc:
            raise _write_error(tmp, exc) from exc
        done = True
        return tmp
    finally:
        if not done:
            _unlink_quiet(tmp)


def _put_in_place(temps: Mapping[str, Path], dest: Path) -> None:
    try:
        for name, tmp in temps.items():
            os.replace(tmp, dest / name)
        _fsync_dir(dest)
    except OSError as exc:
        raise _write_error(dest, exc) from exc


def _prepare_dest(dest: Path) -> None:
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            f"无法创建字体目录 {dest}：{exc}", f"Cannot create the font folder {dest}: {exc}"
        ) from exc


# --- the .deb: ar, then a compressed tar ----------------------------------------------------------


class _Slice(io.RawIOBase):
    """Bytes ``[start, start + size)`` of an open binary file, read-only and forward-only."""

    def __init__(self, f: IO[bytes], start: int, size: int) -> None:
        super().__init__()
        self._f = f
        self._left = size
        f.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self._left)
        if n == 0:
            return 0
        data = self._f.read(n)
        if not data:
            raise EOFError("the .deb ends inside its data archive")
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)


def _not_a_deb(deb: str, zh: str, en: str) -> ArchiveError:
    return ArchiveError(
        f"{deb} 不是有效的 Debian 软件包：{zh}", f"{deb} is not a valid Debian package: {en}"
    )


def _data_member(f: IO[bytes], total: int, deb: str) -> tuple[str, int, int]:
    """The name, offset and size of the ``data.tar*`` member of the ar archive ``f``."""
    if f.read(8) != b"!<arch>\n":
        raise _not_a_deb(deb, "缺少 ar 文件头", "no ar archive header")
    pos = 8
    index = 0
    while pos < total:
        header = f.read(60)
        if len(header) < 60 or header[58:60] != b"`\n":
            raise _not_a_deb(
                deb, f"第 {index + 1} 个成员的头损坏", f"member {index + 1} has a bad header"
            )
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise _not_a_deb(
                deb, f"成员 {name} 的大小无效", f"member {name} has a bad size"
            ) from None
        start = pos + 60
        if size < 0 or start + size > total:
            raise _not_a_deb(deb, f"成员 {name} 被截断", f"member {name} is truncated")
        if index == 0:
            # A .deb starts with debian-binary, the format version ("2.0\n").
            if name != "debian-binary" or not f.read(min(size, 16)).startswith(b"2."):
                raise _not_a_deb(
                    deb,
                    "首个成员不是 debian-binary 2.x",
                    "its first member is not debian-binary 2.x",
                )
        elif name.startswith("data.tar"):
            return name, start, size
        pos = start + size + (size & 1)  # members are padded to an even offset
        f.seek(pos)
        index += 1
    raise _not_a_deb(deb, "没有 data.tar 成员", "it has no data.tar member")


def _decompressed(name: str, raw: IO[bytes], deb: str) -> IO[bytes]:
    """The tar stream of the data member ``name`` (data.tar, .gz, .xz, .lzma, .bz2, .zst)."""
    if name == "data.tar":
        return raw
    if name == "data.tar.gz":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if name in ("data.tar.xz", "data.tar.lzma"):
        return lzma.LZMAFile(raw)
    if name == "data.tar.bz2":
        return bz2.BZ2File(raw)
    if name == "data.tar.zst":
        # Python has zstd in the standard library from 3.14 on (compression.zstd); before it,
        # such a package cannot be read without a third-party module. Debian's own packages of
        # these fonts use xz.
        try:
            zstd = importlib.import_module("compression.zstd")
        except ImportError:
            raise ArchiveError(
                f"{deb} 的数据用 zstd 压缩（{name}），Python {sys.version_info.major}."
                f"{sys.version_info.minor} 的标准库不支持（需要 3.14 及以上）",
                f"{deb} has its data compressed with zstd ({name}), which Python "
                f"{sys.version_info.major}.{sys.version_info.minor}'s standard library cannot read "
                "(3.14 or later can)",
            ) from None
        stream: IO[bytes] = zstd.ZstdFile(raw)
        return stream
    raise ArchiveError(
        f"{deb} 的数据成员 {name} 压缩格式不受支持",
        f"{deb} has a data member {name} in an unsupported compression",
    )


def _norm(member: str) -> str:
    return member.lstrip("/").removeprefix("./").lstrip("/")


def _extract(deb_path: Path, pkg: Package, wanted: Iterable[FontEntry], dest: Path) -> None:
    """Take ``wanted`` out of the downloaded .deb, verify each, and put them all in ``dest``."""
    pending = {_norm(font.path): font for font in wanted}
    temps: dict[str, Path] = {}
    try:
        try:
            with open(deb_path, "rb") as f:
                name, start, size = _data_member(f, os.fstat(f.fileno()).st_size, pkg.deb)
                raw = cast(IO[bytes], io.BufferedReader(_Slice(f, start, size), _CHUNK))
                with (
                    _decompressed(name, raw, pkg.deb) as stream,
                    tarfile.open(fileobj=stream, mode="r|") as tar,
                ):
                    for member in tar:
                        font = pending.pop(_norm(member.name), None)
                        if font is None:
                            continue
                        src = tar.extractfile(member) if member.isfile() else None
                        if src is None:
                            raise ArchiveError(
                                f"{pkg.deb} 中的 {member.name} 不是普通文件",
                                f"{member.name} in {pkg.deb} is not a regular file",
                            )
                        temps[font.name] = _copy_verified(src, dest, font, pkg.deb)
                        if not pending:
                            break
        except (tarfile.TarError, lzma.LZMAError, zlib.error, EOFError, OSError) as exc:
            raise ArchiveError(
                f"无法解开 {pkg.deb} 的数据：{exc}", f"Cannot unpack the data of {pkg.deb}: {exc}"
            ) from exc
        if pending:
            names = ", ".join(sorted(pending))
            raise ArchiveError(f"{pkg.deb} 中没有 {names}", f"{pkg.deb} does not contain {names}")
        _put_in_place(temps, dest)
    finally:
        for tmp in temps.values():
            _unlink_quiet(tmp)


# --- downloading --------------------------------------------------------------------------------


def _download_one(url: str, out_path: Path, pkg: Package, timeout: float) -> tuple[int, str]:
    """Download ``url`` into ``out_path`` (stopping past ``pkg.size``): its size and sha256."""
    # The schemes are checked when the manifest is read (https, http, file).
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})  # noqa: S310
    digest = hashlib.sha256()
    size = 0
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        try:
            out = open(out_path, "wb")  # closed by the `with` below, before any rename or unlink
        except OSError as exc:
            raise _write_error(out_path, exc) from exc
        with out:
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > pkg.size:
                    break
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _write_error(out_path, exc) from exc
    return size, digest.hexdigest()


def _download(pkg: Package, out_path: Path, timeout: float, log: Log) -> None:
    """Download ``pkg`` into ``out_path`` from its first URL that gives the right bytes."""
    failures: list[tuple[str, str]] = []
    network = False
    for url in pkg.urls:
        log(f"下载 downloading {pkg.deb} ← {url}")
        began = time.monotonic()
        try:
            size, actual = _download_one(url, out_path, pkg, timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                reason: object = f"HTTP {exc.code} {exc.reason}"
            else:
                reason = getattr(exc, "reason", None) or exc
            failures.append((f"{url}：{reason}", f"{url}: {reason}"))
            network = True
            continue
        if size != pkg.size:
            over = "over " if size > pkg.size else ""
            failures.append(
                (
                    f"{url}：大小为 {over}{size} 字节，应为 {pkg.size}",
                    f"{url}: {over}{size} bytes, expected {pkg.size}",
                )
            )
            continue
        if actual != pkg.sha256:
            failures.append(
                (
                    f"{url}：sha256 为 {actual}，应为 {pkg.sha256}",
                    f"{url}: sha256 {actual}, expected {pkg.sha256}",
                )
            )
            continue
        seconds = time.monotonic() - began
        log(f"  {size / 1e6:.1f} MB, {seconds:.1f} s, sha256 ✓")
        return
    kind = DownloadError if network else IntegrityError
    raise kind(
        f"无法获得 {pkg.package} {pkg.version}（{pkg.deb}）：" + "；".join(f[0] for f in failures),
        f"Could not get {pkg.package} {pkg.version} ({pkg.deb}): "
        + "; ".join(f[1] for f in failures),
    )


def _fetch_package(
    pkg: Package, wanted: list[FontEntry], dest: Path, timeout: float, log: Log
) -> None:
    fd, deb_path = _temp_in(dest, ".deb.part")
    os.close(fd)
    try:
        _download(pkg, deb_path, timeout, log)
        _extract(deb_path, pkg, wanted, dest)
    finally:
        _unlink_quiet(deb_path)


def _copy_from_dirs(wanted: list[FontEntry], dirs: list[Path], dest: Path, log: Log) -> None:
    """Copy ``wanted`` from the first of ``dirs`` that has each right; all checked first."""
    # Every font is checked before anything is copied: a wrong one stops the run with nothing
    # written.
    sources = _find_verified(wanted, dirs)
    for font in wanted:
        src_path = sources[font.name]
        try:
            with open(src_path, "rb") as src:
                tmp = _copy_verified(src, dest, font, str(src_path))
        except OSError as exc:
            raise IntegrityError(
                f"无法读取 {src_path}：{exc}", f"Cannot read {src_path}: {exc}"
            ) from exc
        try:
            _put_in_place({font.name: tmp}, dest)
        finally:
            _unlink_quiet(tmp)
        log(f"复制 copied {src_path} → {dest / font.name} (sha256 ✓)")


def _stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fetch(
    dest: str | os.PathLike[str],
    packages: Iterable[Package] | None = None,
    *,
    from_dirs: Iterable[str | os.PathLike[str]] = (),
    timeout: float = 60.0,
    log: Log = _stderr_log,
) -> dict[str, Path]:
    """Put every font of ``packages`` (default: installer/fonts.json) into ``dest``, verified.

    A font already in ``dest`` with the right size and sha256 is kept (its package is not
    downloaded). With ``from_dirs`` the fonts are copied from those directories (the first that
    has each one right) instead of downloaded. ``timeout`` bounds each network operation, in
    seconds. Returns each font's path in ``dest``; raises :class:`FontFetchError`.
    """
    dest_dir = Path(dest)
    pkgs = load_manifest() if packages is None else tuple(packages)
    dirs = [Path(d) for d in from_dirs]
    _prepare_dest(dest_dir)
    for pkg in pkgs:
        wanted = []
        for font in pkg.fonts:
            problem = _problem(dest_dir / font.name, font)
            if problem is None:
                log(f"已有 present: {dest_dir / font.name} (sha256 ✓)")
            else:
                if problem[1] != "missing":
                    log(f"替换 replacing {dest_dir / font.name}: {problem[1]}")
                wanted.append(font)
        if not wanted:
            continue
        if dirs:
            _copy_from_dirs(wanted, dirs, dest_dir, log)
        else:
            _fetch_package(pkg, wanted, dest_dir, timeout, log)
            for font in wanted:
                log(f"解出 extracted {dest_dir / font.name} (sha256 ✓)")
    return {font.name: dest_dir / font.name for pkg in pkgs for font in pkg.fonts}


# --- the command line ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"命令行参数有误：{message}\nBad command line: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> _Parser:
    parser = _Parser(
        prog="fetch_fonts.py",
        description="下载并校验 PDF 记录嵌入的字体。Download and verify the fonts the PDF records embed.",
    )
    parser.add_argument(
        "dest", nargs="?", type=Path, metavar="DEST_DIR", help="where to put the fonts"
    )
    parser.add_argument("--check", type=Path, metavar="DIR", help="only verify the fonts in DIR")
    parser.add_argument(
        "--from-dir",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="copy the fonts from DIR (repeatable, first match wins) instead of downloading",
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="default: %(default)s")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per network operation (default: 60)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code (0 done, 1 wrong or failed, 2 bad usage)."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console or pipe in a legacy code page cannot encode Chinese: never crash on
        # a message (set PYTHONUTF8=1 to see it as text).
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.dest is None) == (args.check is None):
        parser.error("give either DEST_DIR or --check DIR")
    if args.check is not None and args.from_dir:
        parser.error("--from-dir does not go with --check")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    try:
        packages = load_manifest(args.manifest)
    except ManifestError as exc:
        _stderr_log(str(exc))
        return 2
    if args.check is not None:
        problems = check_dir(args.check, packages)
        for name, (zh, en) in problems.items():
            _stderr_log(f"不符 wrong: {name} — {zh} / {en}")
        if problems:
            _stderr_log(
                f"{args.check} 中有 {len(problems)} 个字体缺少或不符：{', '.join(problems)}\n"
                f"{len(problems)} font(s) missing or wrong in {args.check}: {', '.join(problems)}"
            )
            return 1
        _stderr_log(f"字体无误 fonts verified: {len(font_entries(packages))} in {args.check}")
        return 0
    began = time.monotonic()
    try:
        paths = fetch(args.dest, packages, from_dirs=args.from_dir, timeout=args.timeout)
    except FontFetchError as exc:
        _stderr_log(f"错误：{exc.zh}\nError: {exc.en}")
        return 1
    _stderr_log(f"完成 done: {len(paths)} fonts in {args.dest} ({time.monotonic() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
