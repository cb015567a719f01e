#!/usr/bin/env bash
# Checks a compiled installer against the bundle it was made from (`make installer-check`;
# CI runs it): 7-Zip reads NSIS installers, so the installer is unpacked into a temp folder and
# every file of the bundle must be there byte for byte, nothing else but the uninstaller and
# NSIS's own plug-ins; the installer must be NSIS 3 Unicode.
#   installer/check_installer.sh dist/SealBid-0.1.0-setup.exe dist/sealbid
set -euo pipefail
setup="$1"
bundle="${2:-dist/sealbid}"
[ -f "$setup" ] || { echo "check: $setup not found (make installer first)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

7z l "$setup" >"$work/list" || { echo "check: 7z cannot read $setup" >&2; exit 1; }
grep -q "^Type = Nsis$" "$work/list" || { echo "check: not an NSIS installer" >&2; exit 1; }
grep -q "^SubType = NSIS-3 Unicode" "$work/list" || { echo "check: not NSIS 3 Unicode" >&2; exit 1; }
7z x -y -o"$work/x" "$setup" >/dev/null
[ -f "$work/x/uninstall.exe" ] || { echo "check: no uninstaller in the installer" >&2; exit 1; }
rm -rf "$work/x/uninstall.exe" "$work/x/\$PLUGINSDIR"
# Same tree, same bytes (diff -r names any file missing, extra or different).
diff -r "$bundle" "$work/x" || { echo "check: the installer does not carry the bundle as built" >&2; exit 1; }
echo "check: $(basename "$setup") carries $(find "$bundle" -type f | wc -l) files of $bundle," \
     "$(du -sm "$setup" | cut -f1) MiB"
