"""The Windows build's pieces agree with each other: the workflow (.github/workflows/windows.yml)
cannot run on our Debian CI, so what it checks on a Windows runner — the installed program's
names, the Start-menu entry, the file association — is checked here against the installer
script and the bundle's spec, and every file it runs must exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
NSI = ROOT / "installer" / "sealbid.nsi"


def _nsi_defines() -> dict[str, str]:
    text = NSI.read_text(encoding="utf-8")
    found = re.findall(r'^\s*!define\s+(\w+)\s+"([^"]*)"', text, re.M)
    defines: dict[str, str] = {}
    for name, value in found:
        defines.setdefault(name, value)  # the first: the defaults, not the /redef fallbacks
    return defines


def _run_text() -> str:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = flow["jobs"]["bundle-installer"]["steps"]
    return "\n".join(str(s.get("run", "")) for s in steps)


def test_windows_workflow_is_a_windows_job_with_a_time_limit() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = flow["jobs"]["bundle-installer"]
    assert job["runs-on"].startswith("windows-")
    assert 0 < job["timeout-minutes"] <= 90
    names = [s.get("name", s.get("uses", "")) for s in job["steps"]]
    # Built, smoke-tested, packed, installed, smoke-tested installed, uninstalled: in order.
    order = [
        "Bundle",
        "Smoke test the bundle",
        "Installer",
        "Install silently",
        "Smoke test the installed",
        "Uninstall silently",
    ]
    positions = [next(i for i, n in enumerate(names) if n.startswith(o)) for o in order]
    assert positions == sorted(positions), names


def test_windows_workflow_runs_files_that_exist() -> None:
    run = _run_text()
    for rel in re.findall(r"(?:installer|requirements|ui\\i18n)[\\/][\w.\\/-]+", run):
        path = ROOT / rel.replace("\\", "/")
        if path.suffix == ".qm":  # built by that step
            continue
        assert path.exists(), rel
    assert "build.spec" in run and (ROOT / "build.spec").is_file()
    assert "--require-hashes -r requirements\\lock.txt" in run


def test_windows_workflow_checks_what_the_installer_registers() -> None:
    d = _nsi_defines()
    run = _run_text()
    assert d["EXE"] == "sealbid.exe" and d["APP_EXE"] == "sealbidw.exe"
    assert f"Start Menu\\Programs\\{d['PRODUCT_ZH']}.lnk" in run
    assert f"'{d['PROGID']}'" in run
    assert f"Uninstall\\{d['PRODUCT']}'" in run
    assert f"Programs\\{d['PRODUCT']}" in run
    for exe in (d["EXE"], d["APP_EXE"], d["UNINST_EXE"]):
        assert f"'{exe}'" in run, exe
    nsi = NSI.read_text(encoding="utf-8")
    assert '"$INSTDIR\\${APP_EXE}" "%1"' in nsi  # the association passes the file
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${PRODUCT}"' in nsi
    assert "RequestExecutionLevel user" in nsi
    assert "HKLM" not in re.sub(r";.*", "", nsi)  # per user: nothing outside HKCU


def test_bundle_spec_makes_the_programs_the_installer_ships() -> None:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    d = _nsi_defines()
    for exe in (d["EXE"], d["APP_EXE"]):
        assert f'name="{exe.removesuffix(".exe")}"' in spec, exe
    assert re.search(r'name="sealbidw",\s*console=False', spec)
    entry = (ROOT / "installer" / "sealbid_entry.py").read_text(encoding="utf-8")
    assert '== "sealbidw"' in entry


def test_bundle_spec_carries_each_fonts_licence() -> None:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    fonts = (ROOT / "installer" / "fonts.json").read_text(encoding="utf-8")
    for package in ("fonts-wqy-zenhei", "fonts-hanazono"):
        assert package in fonts
        licence = ROOT / "installer" / "licences" / f"{package}.copyright.txt"
        assert licence.is_file() and "License" in licence.read_text(encoding="utf-8")
        assert f'"{licence.name}"' in spec


def test_bundle_notices_name_every_runtime_package_and_its_licence(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "installer"))
    try:
        import notices
    finally:
        sys.path.pop(0)
    names = {n.lower().replace("_", "-") for n in notices.collect(tmp_path / "n")}
    assert {"pyside6-essentials", "cryptography", "httpx", "reportlab", "pyhanko"} <= names
    assert not names & {"pytest", "mypy", "ruff", "pyinstaller", "hypothesis"}  # dev only
    text = (tmp_path / "n" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    assert re.search(r"^PySide6_Essentials .* LGPL-3\.0", text, re.M)
    assert (tmp_path / "n" / "LGPL-3.0.txt").is_file()
    assert (tmp_path / "n" / "cryptography").is_dir()
    assert text.startswith("SealBid") and "Python 3." in text
