"""installer/fetch_fonts.py: the record fonts taken out of Debian packages, each one verified.

No network: small fake .deb packages are built here (by ``dpkg-deb --build`` where it exists,
and by a Python ar + tar writer everywhere), with tiny font-like files, and served through
``file://`` URLs or a real HTTP server on 127.0.0.1. Every failure leaves DEST_DIR without a
partial or unverified file. The last tests check the real installer/fonts.json against the fonts
apt installs, which is what CI's bundle is built from.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import importlib.util
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "installer" / "fetch_fonts.py"


def _load() -> ModuleType:
    # installer/ is not a package: load the script as build.spec does, by its path.
    spec = importlib.util.spec_from_file_location("fetch_fonts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fetch_fonts"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


ff = _load()

FONT_DIR = "./usr/share/fonts/truetype/fake"


def _font_bytes(seed: int, size: int) -> bytes:
    # A TrueType signature, then bytes that do not compress (as a real font's mostly do not).
    return b"\x00\x01\x00\x00" + random.Random(seed).randbytes(size - 4)


FONT_A = ("Fake-A.ttf", _font_bytes(1, 25_001))
FONT_B = ("宋体测试.ttf", _font_bytes(2, 17_342))


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Odd, small chunks: every copy, hash and ar slice runs over many chunk boundaries.
    monkeypatch.setattr(ff, "_CHUNK", 997)


# --- building fake packages ---------------------------------------------------------------------


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = [b"!<arch>\n"]
    for name, data in members:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode()
        assert len(header) == 60
        out += [header, data, b"\n" if len(data) % 2 else b""]
    return b"".join(out)


def _tar(files: dict[str, bytes], compression: str) -> bytes:
    buf = io.BytesIO()
    mode = {"xz": "w:xz", "gz": "w:gz", "bz2": "w:bz2", "none": "w"}[compression]
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as tar:  # type: ignore[call-overload]
        dirs = sorted({str(Path(p).parent) for p in files})
        for d in ["."] + [d.replace("\\", "/") for d in dirs]:
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _python_deb(files: dict[str, bytes], compression: str) -> bytes:
    """A .deb as dpkg lays it out: debian-binary, control.tar.gz, data.tar[.ext]."""
    control = b"Package: fake-fonts\nVersion: 1.0\nArchitecture: all\nDescription: x\n"
    # An odd-sized control member, so the data member starts after ar's padding byte.
    while len(control_tar := gzip.compress(_tar({"./control": control}, "none"), mtime=0)) % 2 == 0:
        control += b" "
    ext = {"xz": ".xz", "gz": ".gz", "bz2": ".bz2", "none": ""}[compression]
    return _ar(
        [
            ("debian-binary", b"2.0\n"),
            ("control.tar.gz", control_tar),
            (f"data.tar{ext}", _tar(files, compression)),
        ]
    )


def _dpkg_deb(work: Path, files: dict[str, bytes], compression: str) -> bytes:
    root = work / f"pkg-{compression}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: fake-fonts\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\n"
        "Description: fake fonts for a test\n",
        encoding="utf-8",
    )
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    out = work / f"fake-{compression}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(root), str(out)],
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


def _files(*fonts: tuple[str, bytes]) -> dict[str, bytes]:
    return {f"{FONT_DIR}/{name}": data for name, data in fonts}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _font(name: str, data: bytes, **override: Any) -> dict[str, Any]:
    entry = {"name": name, "path": f"{FONT_DIR}/{name}", "size": len(data), "sha256": _sha(data)}
    entry.update(override)
    return entry


def _manifest(
    where: Path, deb: bytes, urls: list[str], fonts: list[dict[str, Any]], **override: Any
) -> Path:
    package = {
        "package": "fake-fonts",
        "version": "1.0",
        "deb": "fake-fonts_1.0_all.deb",
        "size": len(deb),
        "sha256": _sha(deb),
        "urls": urls,
        "fonts": fonts,
    }
    package.update(override)
    where.mkdir(parents=True, exist_ok=True)
    path = where / "fonts.json"
    path.write_text(json.dumps({"format": 1, "packages": [package]}), encoding="utf-8")
    return path


def _publish(tmp_path: Path, deb: bytes, name: str = "fake.deb") -> str:
    mirror = tmp_path / "镜像 mirror"
    mirror.mkdir(exist_ok=True)
    (mirror / name).write_bytes(deb)
    return (mirror / name).as_uri()


def _listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


@pytest.fixture
def deb() -> bytes:
    return _python_deb(_files(FONT_A, FONT_B), "xz")


@pytest.fixture
def logs() -> list[str]:
    return []


def _fetch(manifest: Path, dest: Path, logs: list[str], **kw: Any) -> dict[str, Path]:
    result: dict[str, Path] = ff.fetch(dest, ff.load_manifest(manifest), log=logs.append, **kw)
    return result


# --- extraction ---------------------------------------------------------------------------------

HAVE_DPKG = shutil.which("dpkg-deb") is not None


@pytest.mark.parametrize(
    ("builder", "compression"),
    [
        pytest.param(
            "dpkg-deb", "xz", marks=pytest.mark.skipif(not HAVE_DPKG, reason="no dpkg-deb")
        ),
        pytest.param(
            "dpkg-deb", "gzip", marks=pytest.mark.skipif(not HAVE_DPKG, reason="no dpkg-deb")
        ),
        pytest.param(
            "dpkg-deb", "none", marks=pytest.mark.skipif(not HAVE_DPKG, reason="no dpkg-deb")
        ),
        ("python", "xz"),
        ("python", "gz"),
        ("python", "bz2"),
        ("python", "none"),
    ],
)
def test_fonts_are_extracted_and_verified(
    tmp_path: Path, logs: list[str], builder: str, compression: str
) -> None:
    files = _files(FONT_A, FONT_B)
    deb = (
        _dpkg_deb(tmp_path, files, compression)
        if builder == "dpkg-deb"
        else _python_deb(files, compression)
    )
    url = _publish(tmp_path, deb)
    manifest = _manifest(tmp_path, deb, [url], [_font(*FONT_A), _font(*FONT_B)])
    dest = tmp_path / "dest"

    paths = _fetch(manifest, dest, logs)

    assert paths == {FONT_A[0]: dest / FONT_A[0], FONT_B[0]: dest / FONT_B[0]}
    assert (dest / FONT_A[0]).read_bytes() == FONT_A[1]
    assert (dest / FONT_B[0]).read_bytes() == FONT_B[1]
    assert _listing(dest) == sorted([FONT_A[0], FONT_B[0]])  # no .deb, no temporary file
    if os.name != "nt":
        assert (dest / FONT_A[0]).stat().st_mode & 0o777 == 0o644
    assert ff.check_dir(dest, ff.load_manifest(manifest)) == {}


@pytest.mark.skipif(not HAVE_DPKG, reason="no dpkg-deb")
def test_zstd_data_is_read_or_refused_clearly(tmp_path: Path, logs: list[str]) -> None:
    deb = _dpkg_deb(tmp_path, _files(FONT_A), "zstd")
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A)])
    dest = tmp_path / "dest"
    if sys.version_info >= (3, 14):
        _fetch(manifest, dest, logs)
        assert (dest / FONT_A[0]).read_bytes() == FONT_A[1]
        return
    with pytest.raises(ff.ArchiveError) as caught:
        _fetch(manifest, dest, logs)
    assert "zstd" in caught.value.zh and "zstd" in caught.value.en
    assert "3.14" in caught.value.en
    assert _listing(dest) == []


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "override",
    [{"sha256": "0" * 64}, {"size": 1234}],
    ids=["sha256", "size"],
)
def test_a_wrong_deb_is_refused_with_nothing_left(
    tmp_path: Path, deb: bytes, logs: list[str], override: dict[str, Any]
) -> None:
    url = _publish(tmp_path, deb)
    manifest = _manifest(tmp_path, deb, [url, url], [_font(*FONT_A)], **override)
    dest = tmp_path / "dest"
    with pytest.raises(ff.IntegrityError) as caught:
        _fetch(manifest, dest, logs)
    assert caught.value.en.count(url) == 2  # both URLs tried, each reason given
    assert "应为" in caught.value.zh
    assert _listing(dest) == []


def test_a_wrong_font_is_refused_and_its_package_left_out(
    tmp_path: Path, deb: bytes, logs: list[str]
) -> None:
    # Font A is right and is extracted first; font B is wrong: neither is put in place.
    manifest = _manifest(
        tmp_path,
        deb,
        [_publish(tmp_path, deb)],
        [_font(*FONT_A), _font(*FONT_B, sha256="f" * 64)],
    )
    dest = tmp_path / "dest"
    with pytest.raises(ff.IntegrityError) as caught:
        _fetch(manifest, dest, logs)
    assert FONT_B[0] in caught.value.en and "sha256" in caught.value.en
    assert _listing(dest) == []


def test_a_font_of_the_wrong_size_is_refused(tmp_path: Path, deb: bytes, logs: list[str]) -> None:
    size = len(FONT_A[1]) - 10
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A, size=size)])
    dest = tmp_path / "dest"
    with pytest.raises(ff.IntegrityError) as caught:
        _fetch(manifest, dest, logs)
    assert f"expected {size}" in caught.value.en
    assert _listing(dest) == []


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("not-ar", "no ar archive header"),
        ("not-deb", "debian-binary"),
        ("truncated", "truncated"),
        ("bad-xz", "Cannot unpack"),
        ("no-font", "does not contain"),
        ("symlink", "not a regular file"),
        ("no-data", "no data.tar member"),
        ("lz4", "unsupported compression"),
    ],
)
def test_a_bad_archive_is_refused_clearly(
    tmp_path: Path, logs: list[str], case: str, needle: str
) -> None:
    good = _python_deb(_files(FONT_A), "xz")
    if case == "not-ar":
        deb = b"PK\x03\x04 this is a zip file, not a Debian package"
    elif case == "not-deb":
        deb = _ar([("hello.txt", b"hi\n"), ("data.tar", _tar(_files(FONT_A), "none"))])
    elif case == "truncated":
        deb = good[: len(good) - 100]
    elif case == "bad-xz":
        data = _tar(_files(FONT_A), "xz")
        broken = data[:200] + bytes(b ^ 0x5A for b in data[200:400]) + data[400:]
        deb = _ar([("debian-binary", b"2.0\n"), ("data.tar.xz", broken)])
    elif case == "no-font":
        deb = _python_deb({f"{FONT_DIR}/Other.ttf": FONT_A[1]}, "xz")
    elif case == "symlink":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            link = tarfile.TarInfo(f"{FONT_DIR}/{FONT_A[0]}")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tar.addfile(link)
        deb = _ar([("debian-binary", b"2.0\n"), ("data.tar", buf.getvalue())])
    elif case == "no-data":
        deb = _ar([("debian-binary", b"2.0\n"), ("control.tar.gz", b"x" * 11)])
    else:
        deb = _ar([("debian-binary", b"2.0\n"), ("data.tar.lz4", b"\x04\x22\x4d\x18")])
    # The manifest pins these very bytes: the archive itself is what is refused.
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A)])
    dest = tmp_path / "dest"
    with pytest.raises(ff.ArchiveError) as caught:
        _fetch(manifest, dest, logs)
    assert needle in caught.value.en
    assert caught.value.zh and caught.value.zh != caught.value.en
    assert _listing(dest) == []


# --- downloads ----------------------------------------------------------------------------------


def test_a_font_already_right_is_not_downloaded_again(
    tmp_path: Path, deb: bytes, logs: list[str]
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / FONT_A[0]).write_bytes(FONT_A[1])
    before = (dest / FONT_A[0]).stat().st_mtime_ns
    nowhere = (tmp_path / "nowhere" / "fake.deb").as_uri()
    manifest = _manifest(tmp_path, deb, [nowhere], [_font(*FONT_A)])

    # The only URL does not exist: this passes only because nothing is downloaded.
    _fetch(manifest, dest, logs)

    assert (dest / FONT_A[0]).stat().st_mtime_ns == before
    assert not any("downloading" in line for line in logs)
    assert any("present" in line for line in logs)


def test_a_font_present_but_wrong_is_replaced(tmp_path: Path, deb: bytes, logs: list[str]) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / FONT_A[0]).write_bytes(b"an older, different font")
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A)])
    _fetch(manifest, dest, logs)
    assert (dest / FONT_A[0]).read_bytes() == FONT_A[1]
    assert any("replacing" in line for line in logs)


def test_the_first_url_failing_falls_back_to_the_second(
    tmp_path: Path, deb: bytes, logs: list[str]
) -> None:
    missing = (tmp_path / "gone" / "fake.deb").as_uri()
    good = _publish(tmp_path, deb)
    manifest = _manifest(tmp_path, deb, [missing, good], [_font(*FONT_A)])
    dest = tmp_path / "dest"
    _fetch(manifest, dest, logs)
    assert (dest / FONT_A[0]).read_bytes() == FONT_A[1]
    assert [line for line in logs if "downloading" in line] == [
        f"下载 downloading fake-fonts_1.0_all.deb ← {missing}",
        f"下载 downloading fake-fonts_1.0_all.deb ← {good}",
    ]


def test_every_url_failing_is_a_download_error(tmp_path: Path, deb: bytes, logs: list[str]) -> None:
    urls = [(tmp_path / f"gone{i}" / "fake.deb").as_uri() for i in range(2)]
    manifest = _manifest(tmp_path, deb, urls, [_font(*FONT_A)])
    dest = tmp_path / "dest"
    with pytest.raises(ff.DownloadError) as caught:
        _fetch(manifest, dest, logs)
    assert all(url in caught.value.en and url in caught.value.zh for url in urls)
    assert _listing(dest) == []


class _Mirror(http.server.BaseHTTPRequestHandler):
    # Each test's server gets its own subclass with its own dict and list (the fixture below).
    files: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def mirror() -> Iterator[tuple[str, type[_Mirror]]]:
    handler = type("Handler", (_Mirror,), {"files": {}, "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_http_404_and_wrong_bytes_fall_back_to_the_good_mirror(
    tmp_path: Path, deb: bytes, logs: list[str], mirror: tuple[str, type[_Mirror]]
) -> None:
    base, handler = mirror
    handler.files["/tampered.deb"] = deb[:-1] + bytes([deb[-1] ^ 1])  # same size, other bytes
    handler.files["/big.deb"] = deb + b"\0" * 5000  # stopped past the pinned size
    handler.files["/pool/fake.deb"] = deb
    urls = [
        f"{base}/missing.deb",
        f"{base}/tampered.deb",
        f"{base}/big.deb",
        f"{base}/pool/fake.deb",
    ]
    manifest = _manifest(tmp_path, deb, urls, [_font(*FONT_A), _font(*FONT_B)])
    dest = tmp_path / "目标"
    _fetch(manifest, dest, logs, timeout=10)
    assert handler.hits == ["/missing.deb", "/tampered.deb", "/big.deb", "/pool/fake.deb"]
    assert not any("HTTP 404" in line for line in logs)  # a success does not list the failures
    assert (dest / FONT_B[0]).read_bytes() == FONT_B[1]
    assert _listing(dest) == sorted([FONT_A[0], FONT_B[0]])


def test_an_http_404_is_named_in_the_download_error(
    tmp_path: Path, deb: bytes, logs: list[str], mirror: tuple[str, type[_Mirror]]
) -> None:
    base, _handler = mirror
    manifest = _manifest(tmp_path, deb, [f"{base}/pool/gone.deb"], [_font(*FONT_A)])
    with pytest.raises(ff.DownloadError) as caught:
        _fetch(manifest, tmp_path / "dest", logs)
    assert f"{base}/pool/gone.deb: HTTP 404 Not Found" in caught.value.en
    assert f"{base}/pool/gone.deb：HTTP 404 Not Found" in caught.value.zh


def test_an_http_mirror_serving_wrong_bytes_only_is_an_integrity_error(
    tmp_path: Path, deb: bytes, logs: list[str], mirror: tuple[str, type[_Mirror]]
) -> None:
    base, handler = mirror
    handler.files["/fake.deb"] = deb[:-1] + bytes([deb[-1] ^ 1])
    manifest = _manifest(tmp_path, deb, [f"{base}/fake.deb"], [_font(*FONT_A)])
    dest = tmp_path / "dest"
    with pytest.raises(ff.IntegrityError) as caught:
        _fetch(manifest, dest, logs)
    assert f"expected {_sha(deb)}" in caught.value.en
    assert _listing(dest) == []


def test_a_chinese_dest_and_mirror_path(tmp_path: Path, deb: bytes, logs: list[str]) -> None:
    url = _publish(tmp_path, deb, name="字体包.deb")
    manifest = _manifest(tmp_path / "清单", deb, [url], [_font(*FONT_A), _font(*FONT_B)])
    dest = tmp_path / "安装 程序" / "字体"
    rc = ff.main([str(dest), "--manifest", str(manifest)])
    assert rc == 0
    assert (dest / FONT_B[0]).read_bytes() == FONT_B[1]
    assert ff.main(["--check", str(dest), "--manifest", str(manifest)]) == 0


# --- --from-dir, --check, verify ----------------------------------------------------------------


def test_from_dir_copies_verified_fonts(tmp_path: Path, deb: bytes, logs: list[str]) -> None:
    first, second = tmp_path / "apt 一", tmp_path / "apt 二"
    first.mkdir()
    second.mkdir()
    (first / FONT_A[0]).write_bytes(b"a wrong copy, passed over")
    (second / FONT_A[0]).write_bytes(FONT_A[1])
    (first / FONT_B[0]).write_bytes(FONT_B[1])
    nowhere = (tmp_path / "nowhere.deb").as_uri()  # never used: nothing is downloaded
    manifest = _manifest(tmp_path, deb, [nowhere], [_font(*FONT_A), _font(*FONT_B)])
    dest = tmp_path / "dest"
    _fetch(manifest, dest, logs, from_dirs=[first, second])
    assert (dest / FONT_A[0]).read_bytes() == FONT_A[1]
    assert (dest / FONT_B[0]).read_bytes() == FONT_B[1]
    assert _listing(dest) == sorted([FONT_A[0], FONT_B[0]])


def test_from_dir_refuses_a_wrong_font_and_writes_nothing(
    tmp_path: Path, deb: bytes, logs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / FONT_A[0]).write_bytes(FONT_A[1])  # right, but its package-mate is wrong
    (src / FONT_B[0]).write_bytes(FONT_B[1][:-1] + b"\x7f")
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A), _font(*FONT_B)])
    dest = tmp_path / "dest"
    rc = ff.main([str(dest), "--from-dir", str(src), "--manifest", str(manifest)])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"错误：以下字体缺少或与 installer/fonts.json 不符：{FONT_B[0]}" in err
    assert f"Error: These fonts are missing or differ from installer/fonts.json: {FONT_B[0]}" in err
    assert FONT_A[0] not in err.split("Error:")[1]
    assert _listing(dest) == []


def test_check_names_the_missing_and_wrong_fonts(
    tmp_path: Path, deb: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = _manifest(tmp_path, deb, [_publish(tmp_path, deb)], [_font(*FONT_A), _font(*FONT_B)])
    d = tmp_path / "fonts"
    d.mkdir()
    (d / FONT_A[0]).write_bytes(FONT_A[1][:100])
    assert ff.main(["--check", str(d), "--manifest", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert f"不符 wrong: {FONT_A[0]} — 大小为 100 字节，应为 {len(FONT_A[1])}" in err
    assert f"不符 wrong: {FONT_B[0]} — 缺少 / missing" in err
    assert f"2 font(s) missing or wrong in {d}: {FONT_A[0]}, {FONT_B[0]}" in err

    (d / FONT_A[0]).write_bytes(FONT_A[1])
    (d / FONT_B[0]).write_bytes(FONT_B[1])
    assert ff.main(["--check", str(d), "--manifest", str(manifest)]) == 0


def test_verify_takes_an_entry_or_a_manifest_object(tmp_path: Path) -> None:
    path = tmp_path / FONT_A[0]
    path.write_bytes(FONT_A[1])
    entry = _font(*FONT_A)
    assert ff.verify(path, entry)
    assert ff.verify(path, ff.FontEntry(**entry))
    assert not ff.verify(path, {**entry, "sha256": "1" * 64})
    assert not ff.verify(path, {**entry, "size": entry["size"] + 1})
    assert not ff.verify(tmp_path / "absent.ttf", entry)
    # Same size, one byte different: only the hash tells.
    path.write_bytes(FONT_A[1][:-1] + bytes([FONT_A[1][-1] ^ 1]))
    assert not ff.verify(path, entry)


def test_verified_fonts_picks_the_first_right_copy_or_names_the_wrong_ones(
    tmp_path: Path, deb: bytes
) -> None:
    manifest = ff.load_manifest(_manifest(tmp_path, deb, ["file:///x"], [_font(*FONT_A)]))
    wrong, right = tmp_path / "wrong", tmp_path / "right"
    wrong.mkdir()
    right.mkdir()
    (wrong / FONT_A[0]).write_bytes(b"x")
    (right / FONT_A[0]).write_bytes(FONT_A[1])
    assert ff.verified_fonts(["", wrong, right], manifest) == {FONT_A[0]: right / FONT_A[0]}
    with pytest.raises(ff.IntegrityError) as caught:
        ff.verified_fonts([wrong, tmp_path / "empty"], manifest)
    assert f"{wrong / FONT_A[0]}: size 1 bytes" in caught.value.en


# --- the command line and the manifest ----------------------------------------------------------


def test_the_script_fails_in_both_languages_with_a_nonzero_exit(tmp_path: Path, deb: bytes) -> None:
    manifest = _manifest(tmp_path, deb, [(tmp_path / "gone.deb").as_uri()], [_font(*FONT_A)])
    dest = tmp_path / "目录"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(dest), "--manifest", str(manifest)],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1"},
        check=False,
    )
    assert run.returncode == 1
    assert "错误：无法获得 fake-fonts 1.0" in run.stderr
    assert "Error: Could not get fake-fonts 1.0" in run.stderr
    assert _listing(dest) == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": 2, "packages": []}', "not format 1"),
        ("bad-sha", "not 64 lower-case hex digits"),
        ("bad-name", "is not a plain file name"),
        ("bad-scheme", "must be https, http or file"),
        ("twice", "listed twice"),
    ],
)
def test_a_bad_manifest_is_refused_with_exit_2(
    tmp_path: Path, deb: bytes, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    font = _font(*FONT_A)
    variants: dict[str, tuple[list[dict[str, Any]], list[str], dict[str, Any]]] = {
        "bad-sha": ([font], ["file:///x"], {"sha256": "ABC"}),
        "bad-name": ([_font("../evil.ttf", FONT_A[1])], ["file:///x"], {}),
        "bad-scheme": ([font], ["ftp://example.org/x.deb"], {}),
        "twice": ([font, font], ["file:///x"], {}),
    }
    if text in variants:
        fonts, urls, override = variants[text]
        path = _manifest(tmp_path, deb, urls, fonts, **override)
    else:
        path = tmp_path / "fonts.json"
        path.write_text(text, encoding="utf-8")
    assert ff.main([str(tmp_path / "dest"), "--manifest", str(path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "字体清单" in err
    assert not (tmp_path / "dest").exists()


@pytest.mark.parametrize(
    "argv",
    [[], ["a", "--check", "b"], ["--check", "b", "--from-dir", "c"], ["a", "--timeout", "0"]],
)
def test_a_bad_command_line_is_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        ff.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "命令行参数有误" in err and "Bad command line" in err


REAL_DIRS = {
    "wqy-zenhei.ttc": Path("/usr/share/fonts/truetype/wqy"),
    "HanaMinA.ttf": Path("/usr/share/fonts/truetype/hanazono"),
    "HanaMinB.ttf": Path("/usr/share/fonts/truetype/hanazono"),
}


def test_the_real_manifest_pins_the_three_fonts_from_debian() -> None:
    packages = ff.load_manifest()
    assert set(ff.font_entries(packages)) == set(REAL_DIRS)
    for pkg in packages:
        assert pkg.deb == f"{pkg.package}_{pkg.version}_all.deb"
        assert pkg.urls[0] == (
            f"https://deb.debian.org/debian/pool/main/{pkg.package[0]}/{pkg.package}/{pkg.deb}"
        )
        assert pkg.urls[1].startswith("https://snapshot.debian.org/file/")
        for font in pkg.fonts:
            assert font.path.endswith(f"/{font.name}")


@pytest.mark.skipif(
    not all((d / name).is_file() for name, d in REAL_DIRS.items()),
    reason="fonts-wqy-zenhei and fonts-hanazono are not installed",
)
def test_the_real_manifest_matches_the_fonts_apt_installed() -> None:
    # CI's Linux bundle takes apt's files; the Windows runner downloads by the manifest: this
    # is what makes them the same bytes.
    entries = ff.font_entries()
    found = ff.verified_fonts(sorted({str(d) for d in REAL_DIRS.values()}))
    assert found == {name: d / name for name, d in REAL_DIRS.items()}
    for name, d in REAL_DIRS.items():
        assert ff.verify(d / name, entries[name])
