#!/usr/bin/env bash
# Smoke test of the PyInstaller bundle (`make bundle-smoke`; CI runs it after the tests):
#   installer/smoke.sh dist/sealbid
# (Linux, and Windows under Git Bash, which finds sealbid.exe for "sealbid": the Windows
# workflow runs it on the bundle and again on the installed program.)
# 1. the app starts offscreen on the embedded sandbox platform in a fresh data folder and
#    reaches its login dialog (SEALBID_SMOKE_TEST=1 prints "SealBid ready: URL" and quits);
# 2. the bundled CLI seals a small bid with a sandbox bidder's certificate (a Chinese file
#    name), verifies it against the sandbox CA and opens it; the document comes back the same;
# 3. the windowed program (`sealbidw`, what shortcuts and the .sealbid association start)
#    shows that sealed file;
# 4. every step exits 0. Nothing is left behind but the temp folder, which is removed.
set -euo pipefail
bundle="${1:-dist/sealbid}"
exe="$bundle/sealbid"
[ -x "$exe" ] || { echo "smoke: $exe not found (make bundle first)" >&2; exit 1; }
# GNU timeout (Git Bash has it; Windows' own timeout.exe takes other arguments).
timeout --version 2>/dev/null | grep -q GNU || { echo "smoke: GNU timeout is needed" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "smoke: the app, offscreen, on a new sandbox"
out="$(SEALBID_SMOKE_TEST=1 QT_QPA_PLATFORM=offscreen SEALBID_DATA_DIR="$work/data" \
      timeout 180 "$exe" 2>"$work/app.err")" || { cat "$work/app.err" >&2; exit 1; }
echo "$out"
grep -q "^SealBid ready: http://127.0.0.1:" <<<"$out" || { echo "smoke: no ready line" >&2; exit 1; }

sandbox="$work/data/sandbox-platform/sandbox"
p12="$(ls "$sandbox"/identities/投标人1_*.p12)"
password="${p12%.p12}.password"
mkdir -p "$work/bid"
printf '%%PDF-1.4\n%% SealBid smoke test\n' > "$work/bid/商务标.pdf"
echo '{"price": "1234567.89"}' > "$work/bid/summary.json"

echo "smoke: seal, verify and open through the bundled CLI"
"$exe" seal --identity "$p12" --password-file "$password" --section SMOKE-1 \
    --summary "$work/bid/summary.json" -o "$work/bid/投标.sealbid" "$work/bid/商务标.pdf"
"$exe" verify --trust "$sandbox/ca/ca.pem" "$work/bid/投标.sealbid"
"$exe" open --identity "$p12" --password-file "$password" --trust "$sandbox/ca/ca.pem" \
    -o "$work/opened" "$work/bid/投标.sealbid"
cmp "$work/opened/documents/商务标.pdf" "$work/bid/商务标.pdf"

echo "smoke: the windowed app given the sealed file (the .sealbid association)"
[ -x "$bundle/sealbidw" ] || { echo "smoke: $bundle/sealbidw not found" >&2; exit 1; }
# A windowed program has no stdout on Windows: the smoke lines also go to SEALBID_SMOKE_OUT.
SEALBID_SMOKE_TEST=1 SEALBID_SMOKE_OUT="$work/sealbidw.out" QT_QPA_PLATFORM=offscreen \
    SEALBID_DATA_DIR="$work/data" timeout 180 "$bundle/sealbidw" "$work/bid/投标.sealbid" \
    >/dev/null 2>"$work/app.err" || { cat "$work/sealbidw.out" "$work/app.err" >&2; exit 1; }
out="$(cat "$work/sealbidw.out")"
echo "$out"
grep -q "^SealBid showed 投标.sealbid: section SMOKE-1$" <<<"$out" \
    || { echo "smoke: the file was not shown" >&2; exit 1; }
echo "smoke: passed"
