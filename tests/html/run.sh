#!/usr/bin/env bash
# Browser test of `imrlint audit --format html`: builds a report over the
# hostile letter, the cross-letter fixtures and inputs whose very file names
# are markup, opens it in headless Chromium through chromedriver and checks
# that nothing in it ran, that the page's own script and stylesheet did
# (allowed by the Content-Security-Policy hashes), that the hostile text shows
# as text, that sorting and the row links work; saves out/report.png.
#
# Needs Debian's chromium and chromium-driver (installed here when missing)
# and python3 (standard library only). IMRLINT_BIN names the binary to test;
# without it the release binary is built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "run.sh: installing ${need[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

bin="${IMRLINT_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --locked --quiet)
  bin="$root/target/release/imrlint"
fi

rm -rf "$out/inputs"
mkdir -p "$out/inputs"
# File names are letter-derived text too: one that fails (not a letter) and a
# copy of the hostile letter, both named with markup.
printf 'Dear Sir,\nThank you for your letter.\n' >"$out/inputs/<img src=x onerror=\"window.__pwned=5\">.txt"
cp "$root/fixtures/check/html/hostile.txt" "$out/inputs/<svg onload=window.__pwned=6> & 'co'.txt"

cd "$root"
set +e
"$bin" audit --format html --quiet \
  fixtures/check/html/hostile.txt \
  fixtures/check/inconsistency/same-facts/ \
  fixtures/check/conclusion/ \
  fixtures/check/clean.txt \
  "$out/inputs" >"$out/report.html"
code=$?
set -e
# 2: one input could not be used (the one that is not a letter), as intended.
if [ "$code" -ne 2 ]; then
  echo "run.sh: imrlint exited $code, expected 2" >&2
  exit 1
fi
python3 "$here/browser.py" "$out/report.html" "$out/report.png"
