#!/usr/bin/env bash
# Two imrlint binaries against each other and against ripgrep, in alternating rounds.
#
#   benches/batch/compare.sh [--rounds R] [--corpus DIR] BIN_A BIN_B
#
# Each round runs `rg -c -F -f patterns.txt DIR`, then `BIN_A check --format json --quiet
# --threads 1 DIR`, then the same with BIN_B, and takes the CPU time (task-clock) of each. On a
# machine whose speed drifts from minute to minute, a ratio taken within a round is steadier
# than a ratio of two medians taken apart: the report gives each tool's CPU (min, first
# quartile, median) and the median of the rounds' ratios B/A, A/rg and B/rg.
#
# DIR defaults to the 5000-letter corpus `run.sh` builds (run it once first). Exit status: 0
# when every run worked, 1 when a run failed, 2 on a usage or setup error.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATTERNS="$SCRIPT_DIR/patterns.txt"
CORPUS="${TMPDIR:-/tmp}/imrlint-batch-corpus/5000"
ROUNDS=15

die() { echo "compare.sh: error: $*" >&2; exit 2; }

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

BINS=()
while (($#)); do
    case "$1" in
        --rounds) [[ $# -ge 2 ]] || die "--rounds needs a number"; ROUNDS=$2; shift 2 ;;
        --corpus) [[ $# -ge 2 ]] || die "--corpus needs a directory"; CORPUS=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) BINS+=("$1"); shift ;;
    esac
done

[[ ${#BINS[@]} -eq 2 ]] || die "give two imrlint binaries, A and B (see --help)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number, not '$ROUNDS'"
[[ -d $CORPUS ]] || die "corpus $CORPUS is not a directory (build it with benches/batch/run.sh, or give --corpus)"
for b in "${BINS[@]}"; do
    [[ -x $b ]] || die "$b is not an executable file"
    "$b" --version 2>/dev/null | grep -q '^imrlint ' || die "$b --version does not say imrlint"
done
command -v rg >/dev/null || die "rg (ripgrep) is not installed"
command -v perf >/dev/null || die "perf is not installed (Debian: linux-perf)"
command -v python3 >/dev/null || die "python3 is not installed"

# CPU milliseconds of one command (user + system, as perf's task-clock counts them); the
# command's own exit status is not checked here (imrlint exits 1 when it finds something),
# but a run that did not start or was killed leaves no figure and fails the comparison.
cpu_ms() {
    local out
    out=$(perf stat -x, -e task-clock "$@" 2>&1 >/dev/null) || true
    local ms
    ms=$(printf '%s\n' "$out" | awk -F, '/task-clock/ {print $1}')
    [[ $ms =~ ^[0-9.]+$ ]] || { echo "compare.sh: no CPU figure for: $*" >&2; echo "FAILED"; return; }
    echo "$ms"
}

echo "compare.sh: $ROUNDS rounds on $CORPUS ($(find "$CORPUS" -type f | wc -l) files)" >&2
rows=""
for ((r = 1; r <= ROUNDS; r++)); do
    rg_ms=$(cpu_ms rg -c -F -f "$PATTERNS" "$CORPUS")
    a_ms=$(cpu_ms "${BINS[0]}" check --format json --quiet --threads 1 "$CORPUS")
    b_ms=$(cpu_ms "${BINS[1]}" check --format json --quiet --threads 1 "$CORPUS")
    rows+="$rg_ms $a_ms $b_ms"$'\n'
done

if grep -q FAILED <<<"$rows"; then
    echo "compare.sh: a run gave no CPU figure; no comparison" >&2
    exit 1
fi

printf '%s' "$rows" | python3 -c '
import statistics as st, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
names = ["rg -c -F -f patterns.txt", "A: " + sys.argv[1], "B: " + sys.argv[2]]
q1 = lambda xs: sorted(xs)[len(xs) // 4]
print("| tool | CPU ms min | first quartile | median |")
print("|---|---:|---:|---:|")
for i, n in enumerate(names):
    xs = [r[i] for r in rows]
    print(f"| `{n}` | {min(xs):.1f} | {q1(xs):.1f} | {st.median(xs):.1f} |")
def ratio(i, j):
    xs = [r[i] / r[j] for r in rows]
    return f"{st.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"
print()
print(f"Median (min-max) of the {len(rows)} rounds\x27 ratios: B/A {ratio(2, 1)}; A/rg {ratio(1, 0)}; B/rg {ratio(2, 0)}")
' "${BINS[0]}" "${BINS[1]}"
