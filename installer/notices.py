"""The third-party notices the bundle carries (build.spec calls :func:`collect`):

    python installer/notices.py OUT_DIR      # what build.spec does, to look at by hand

Writes ``OUT_DIR/THIRD-PARTY-NOTICES.txt`` — every Python distribution the app needs at run
time (the ``sealbid`` package's requirements and theirs, markers evaluated for this machine,
no extras but those asked for, nothing of the ``dev`` extra), each with its version, licence
and home page — and copies each one's licence files (from its installed metadata) into
``OUT_DIR/<name>/``. Python's own licence and the texts the LGPL needs beside Qt (PySide6's
wheels carry none) come from ``installer/licences/``. Standard library only.
"""

from __future__ import annotations

import re
import shutil
import sys
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

__all__ = ["collect", "runtime_distributions"]

HERE = Path(__file__).resolve().parent
LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
# The texts a licence refers to, for packages that ship none (PySide6 and shiboken6 are
# LGPL-3.0 / GPL: the LGPL-3 is the GPL-3 plus its additional permissions).
SHARED_TEXTS = ("LGPL-3.0.txt", "GPL-3.0.txt")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = "sealbid") -> list[Distribution]:
    """``root`` and everything it requires at run time, for this interpreter and platform."""
    from packaging.requirements import Requirement

    seen: dict[str, Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # a marker-less optional import that is not installed here
        key = _norm(dist.metadata["Name"])
        first = key not in seen
        seen[key] = dist
        for line in dist.requires or []:
            req = Requirement(line)
            env_ok = any(
                req.marker is None or req.marker.evaluate({"extra": e}) for e in (extras or {""})
            )
            if not env_ok:
                continue
            if first or req.extras:
                todo.append((req.name, frozenset(req.extras)))
    seen.pop(_norm(root), None)
    return sorted(seen.values(), key=lambda d: _norm(d.metadata["Name"]))


def _licence(dist: Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    text = (meta.get("License") or "").strip()
    if text and len(text) < 120 and "\n" not in text:
        return text
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if "License ::" in c
    ]
    return "; ".join(classifiers) or (text.splitlines()[0] if text else "see the files")


def _home(dist: Distribution) -> str:
    meta = dist.metadata
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    return str(meta.get("Home-page") or "")


def collect(out: Path, root: str = "sealbid") -> list[str]:
    """Write the notices into ``out`` (made anew); return the distributions' names."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lines = [
        "SealBid 密封投标 — third-party software in this program / 本程序包含的第三方软件",
        "",
        f"Python {sys.version.split()[0]} — PSF-2.0 — https://www.python.org (Python/LICENSE.txt)",
    ]
    python_licence = (
        Path(sys.base_prefix)
        / "lib"
        / f"python{sys.version_info[0]}.{sys.version_info[1]}"
        / "LICENSE.txt"
    )
    if not python_licence.is_file():
        python_licence = Path(sys.base_prefix) / "LICENSE.txt"  # Windows' layout
    if python_licence.is_file():
        (out / "Python").mkdir()
        shutil.copyfile(python_licence, out / "Python" / "LICENSE.txt")
    names = []
    for dist in runtime_distributions(root):
        name = str(dist.metadata["Name"])
        names.append(name)
        copied = []
        for f in dist.files or []:
            if LICENCE_FILE.search(f.name) and not f.name.endswith((".py", ".pyc")):
                src = Path(str(dist.locate_file(f)))
                if src.is_file():
                    dest = out / name / f.name
                    dest.parent.mkdir(exist_ok=True)
                    if dest.exists():
                        dest = out / name / f"{f.parent.name}-{f.name}"
                    shutil.copyfile(src, dest)
                    copied.append(dest.name)
        where = f"{name}/" if copied else ", ".join(SHARED_TEXTS)
        lines.append(f"{name} {dist.version} — {_licence(dist)} — {_home(dist)} ({where})")
    for text in SHARED_TEXTS:
        shutil.copyfile(HERE / "licences" / text, out / text)
    lines += [
        "",
        "Qt (in PySide6) is used under the LGPL-3.0: its libraries are separate files in this",
        "folder and may be replaced; Qt's sources: https://download.qt.io/official_releases/qt/",
        "The record fonts' licences are in reports/fonts/.",
        "",
    ]
    (out / "THIRD-PARTY-NOTICES.txt").write_text("\n".join(lines), encoding="utf-8")
    return names


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python installer/notices.py OUT_DIR")
    for n in collect(Path(sys.argv[1])):
        print(n)
