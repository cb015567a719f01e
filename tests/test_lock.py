"""requirements/lock.txt, the pinned and hashed dependencies everything is installed from.

The lock must cover every requirement of pyproject.toml (the app's, the ``dev`` extra's, the
build backend's) with a version the requirement admits, give each pin its files' sha256, and
be what this environment was installed from: a dependency added to pyproject.toml without
``make lock`` fails here, not on a bidder's PC.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def parse_lock(text: str) -> dict[str, tuple[Version, Marker | None, list[str]]]:
    """name → (version, marker, hashes) of each pin in a pip requirements file with hashes."""
    pins: dict[str, tuple[Version, Marker | None, list[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = PIN.match(line)
        if m:
            name = canonicalize_name(m.group(1))
            marker = Marker(m.group(3)) if m.group(3) else None
            assert name not in pins, f"{name} pinned twice"
            pins[name] = (Version(m.group(2)), marker, [])
            current = name
            continue
        h = re.match(r"^\s+--hash=sha256:([0-9a-f]{64})\s*\\?$", line)
        assert h and current, f"unexpected line in the lock: {line!r}"
        pins[current][2].append(h.group(1))
    return pins


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(r) for r in project["project"]["dependencies"]]
    reqs += [Requirement(r) for r in project["project"]["optional-dependencies"]["dev"]]
    reqs += [Requirement(r) for r in project["build-system"]["requires"]]
    return reqs


@pytest.fixture(scope="module")
def pins() -> dict[str, tuple[Version, Marker | None, list[str]]]:
    return parse_lock(LOCK.read_text(encoding="utf-8"))


def test_lock_pins_every_requirement_of_pyproject_within_its_range(pins) -> None:
    reqs = requirements()
    assert len(reqs) > 15
    for req in reqs:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is in pyproject.toml but not in the lock: run `make lock`"
        version = pins[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"the lock pins {name}=={version}, outside pyproject's {req}: run `make lock`"
        )


def test_lock_gives_every_pin_its_hashes(pins) -> None:
    assert len(pins) > 50
    for name, (_version, _marker, hashes) in pins.items():
        assert hashes, f"{name} has no --hash in the lock"
        assert len(set(hashes)) == len(hashes), f"{name} lists a hash twice"


def test_lock_covers_windows(pins) -> None:
    """The lock is universal: the Windows-only dependencies the bundle needs there are in it,
    the ones that cannot install on Windows are marked off it."""
    windows = {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "python_version": "3.11",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }

    def on_windows(name: str) -> bool:
        marker = pins[name][1]
        return marker is None or marker.evaluate(windows)

    for needed in ("pefile", "pywin32-ctypes", "colorama", "pyinstaller", "pyside6-essentials"):
        assert needed in pins and on_windows(needed), needed
    assert not on_windows("uvloop")


def test_this_environment_was_installed_from_the_lock(pins) -> None:
    checked = 0
    for name, (version, marker, _hashes) in pins.items():
        if marker is not None and not marker.evaluate():
            continue
        installed = Version(metadata.version(name))
        assert installed == version, f"{name} {installed} is installed, the lock says {version}"
        checked += 1
    assert checked > 50


def test_lock_parser_refuses_a_pin_without_a_hash() -> None:
    text = "httpx==0.28.1 \\\n    --hash=sha256:" + "a" * 64 + "\nidna==3.10\n"
    parsed = parse_lock(text)
    assert parsed["httpx"][2] == ["a" * 64]
    assert parsed["idna"][2] == []
