#!/usr/bin/env bash
# Seeds fuzz/corpus/parse from the shared real letters (if empty), then fuzzes
# the `parse` target on stable Rust. Usage: fuzz/run.sh [seconds, default 600]
# Extra libFuzzer flags may follow the seconds, e.g. fuzz/run.sh 600 -fork=1 -ignore_crashes=1
# MAX_LEN=60000 fuzz/run.sh lets the seeded PDFs (33-50 KB) in whole.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
shift || true
corpus=corpus/parse
mkdir -p "$corpus"
if [ -z "$(ls -A "$corpus")" ]; then
  letters=../../shared/data/dwc-imr-letters
  for dir in "$letters/text" "$letters/layout" ../../shared/seeds; do
    [ -d "$dir" ] || { echo "missing $dir (the shared real letters)" >&2; exit 1; }
  done
  # A few dozen: every 6th letter of each pdftotext mode, and the seeds.
  n=0
  for f in "$letters"/text/*.txt "$letters"/layout/*.txt; do
    n=$((n + 1))
    if [ $((n % 6)) -eq 0 ]; then
      cp "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
    fi
  done
  cp ../../shared/seeds/*.txt "$corpus/"
  # The PDFs exercise source::from_bytes's PDF reader (cut at -max_len).
  cp "$letters"/pdf/*.pdf "$corpus/" 2>/dev/null || true
  echo "seeded $(ls "$corpus" | wc -l) letters into fuzz/$corpus" >&2
fi
exec cargo fuzz run --sanitizer none parse -- \
  -max_total_time="$secs" -max_len="${MAX_LEN:-20000}" -timeout=10 -print_final_stats=1 "$@"
