#!/usr/bin/env bash
# shellcheck disable=SC2016  # backquotes in printf formats are Markdown, not expansions
# Batch benchmark: imrlint against ripgrep (and optionally semgrep) on a replicated corpus
# of real IMR letters. See benches/batch/README.md for what is measured and the results.
#
#   benches/batch/run.sh [OPTIONS] [SIZE...]        (from the repo root or from benches/batch)
#
# Sizes are numbers of letters (default: 1000 5000). Exit status: 0 when every run worked,
# 1 when some run failed (its row says FAILED), 2 on a usage or setup error.
set -euo pipefail

ORIG_ARGS=("$@")
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)

SOURCE=/work/shared/data/dwc-imr-letters/text
CORPUS_ROOT="${TMPDIR:-/tmp}/imrlint-batch-corpus"
SEMGREP_VENV=${SEMGREP_VENV:-/tmp/semgrep-venv}  # environment override, for a venv elsewhere
PATTERNS="$SCRIPT_DIR/patterns.txt"
SEMGREP_RULES="$SCRIPT_DIR/semgrep-rules.yaml"
IMRLINT_BIN=""
REV=""
BUILD_ROOT="${TMPDIR:-/tmp}/imrlint-batch-build"
BUILD=1
BIG=0
SEMGREP=0
SEMGREP_MAX=5000
REPEAT=1
PAIRED=0
OUT=""
SIZES=()
PER_DIR=1000
SELECT_CODES="conclusion/decision-contradicts-rationale,citation/chapter-not-for-body-part,citation/non-mtus-without-reason"

usage() {
    cat <<EOF
Usage: $0 [OPTIONS] [SIZE...]

Replicates the letters of --source into a corpus of SIZE letters (default sizes: 1000 5000)
and measures wall time, CPU time (user+sys) and peak RSS of ripgrep and imrlint on it.

Options:
  --letters N       add a corpus size (same as a positional SIZE; repeatable)
  --big             add the 50000-letter size
  --semgrep         also run semgrep (generic-mode rules in semgrep-rules.yaml) and
                    imrlint restricted to the equivalent checks (--select), at every size
                    up to --semgrep-max
  --semgrep-max N   largest size semgrep is run at (default $SEMGREP_MAX; semgrep checks
                    about 100 letters a second)
  --repeat R        run each command R times and report the median of each figure (default 1)
  --paired R        also run R rounds of rg and imrlint \`check --format json\` (1 thread)
                    in turn at every size, and report the median of the rounds' CPU ratios:
                    on a shared machine whose speed drifts, a ratio taken within one round
                    is steadier than a ratio of medians taken minutes apart (default 0: off)
  --source DIR      letters to replicate (default: $SOURCE)
  --corpus-root DIR where corpora are built and reused (default: $CORPUS_ROOT)
  --imrlint PATH    imrlint binary to measure (default: cargo build --release, then
                    target/release/imrlint; a copy is measured so a rebuild mid-run is harmless)
  --no-build        do not run cargo build (use the existing target/release/imrlint)
  --rev REV         measure imrlint as committed at git revision REV (e.g. HEAD), built from a
                    git-archive copy under $BUILD_ROOT: edits in the working tree
                    and rebuilds of target/ by others do not touch it
  --out FILE        also write the report (Markdown) to FILE
  -h, --help        this help

Environment: SEMGREP_VENV (default /tmp/semgrep-venv), TMPDIR (corpora and builds).
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 2; }
note() { echo "run.sh: $*" >&2; }

while (($#)); do
    case "$1" in
        --letters) [[ $# -ge 2 ]] || die "--letters needs a number"; SIZES+=("$2"); shift 2 ;;
        --letters=*) SIZES+=("${1#*=}"); shift ;;
        --big) BIG=1; shift ;;
        --semgrep) SEMGREP=1; shift ;;
        --semgrep-max) [[ $# -ge 2 ]] || die "--semgrep-max needs a number"; SEMGREP_MAX=$2; shift 2 ;;
        --repeat) [[ $# -ge 2 ]] || die "--repeat needs a number"; REPEAT=$2; shift 2 ;;
        --paired) [[ $# -ge 2 ]] || die "--paired needs a number"; PAIRED=$2; shift 2 ;;
        --source) [[ $# -ge 2 ]] || die "--source needs a directory"; SOURCE=$2; shift 2 ;;
        --corpus-root) [[ $# -ge 2 ]] || die "--corpus-root needs a directory"; CORPUS_ROOT=$2; shift 2 ;;
        --imrlint) [[ $# -ge 2 ]] || die "--imrlint needs a path"; IMRLINT_BIN=$2; BUILD=0; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --rev) [[ $# -ge 2 ]] || die "--rev needs a git revision"; REV=$2; shift 2 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a file"; OUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) SIZES+=("$1"); shift ;;
    esac
done
((${#SIZES[@]})) || SIZES=(1000 5000)
((BIG)) && SIZES+=(50000)
for n in "${SIZES[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "a size must be a positive number of letters, not '$n'"
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive number, not '$REPEAT'"
[[ $PAIRED =~ ^[0-9]+$ ]] || die "--paired must be a number, not '$PAIRED'"
[[ $SEMGREP_MAX =~ ^[0-9]+$ ]] || die "--semgrep-max must be a number, not '$SEMGREP_MAX'"
# Sizes in increasing order, without duplicates.
mapfile -t SIZES < <(printf '%s\n' "${SIZES[@]}" | sort -n -u)

# ------------------------------------------------------------------------------ tools
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() { # package
    command -v apt-get >/dev/null || return 1
    note "installing the Debian package '$1' with apt-get"
    as_root apt-get install -y -q "$1" >/dev/null 2>&1 \
        || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q "$1" >/dev/null 2>&1; }
}
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    apt_install time || true
    /usr/bin/time -v true >/dev/null 2>&1 || die "GNU time (/usr/bin/time -v) is needed: apt-get install time"
fi
if ! command -v rg >/dev/null; then
    apt_install ripgrep || true
    command -v rg >/dev/null || die "ripgrep (rg) is needed: apt-get install ripgrep"
fi

[[ -d $SOURCE ]] || die "no letters directory $SOURCE (give one with --source)"
shopt -s nullglob
LETTERS=("$SOURCE"/*.txt)
shopt -u nullglob
((${#LETTERS[@]})) || die "no *.txt letters in $SOURCE"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imrlint-batch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ -n $REV ]]; then
    [[ -z $IMRLINT_BIN ]] || die "--rev and --imrlint exclude each other"
    REV_SHA=$(git -C "$REPO" rev-parse --verify --quiet "$REV^{commit}") || die "no git revision '$REV' in $REPO"
    rev_src="$BUILD_ROOT/src-${REV_SHA:0:12}"
    if [[ ! -f $rev_src/Cargo.toml ]]; then
        note "extracting revision $REV (${REV_SHA:0:12}) into $rev_src"
        rm -rf "$rev_src.partial"; mkdir -p "$rev_src.partial"
        git -C "$REPO" archive "$REV_SHA" | tar -x -C "$rev_src.partial"
        mv "$rev_src.partial" "$rev_src"
    fi
    note "cargo build --release of ${REV_SHA:0:12} (target dir $BUILD_ROOT/target; the first build takes minutes)"
    (cd "$rev_src" && CARGO_TARGET_DIR="$BUILD_ROOT/target" cargo build --release --locked --quiet --bin imrlint) \
        || die "cargo build of revision $REV failed"
    IMRLINT_BIN="$BUILD_ROOT/target/release/imrlint"
    BUILD=0
fi
if ((BUILD)); then
    note "cargo build --release (in $REPO)"
    if ! (cd "$REPO" && cargo build --release --quiet) >"$WORK/build.log" 2>&1; then
        note "warning: cargo build --release failed; measuring the existing binary. Last lines:"
        tail -n 5 "$WORK/build.log" >&2
    fi
fi
[[ -n $IMRLINT_BIN ]] || IMRLINT_BIN="$REPO/target/release/imrlint"
[[ -x $IMRLINT_BIN ]] || die "no imrlint binary at $IMRLINT_BIN (run cargo build --release)"
cp "$IMRLINT_BIN" "$WORK/imrlint"
IMRLINT="$WORK/imrlint"

CHECK_HELP=$("$IMRLINT" check --help 2>&1) || die "'imrlint check --help' failed: $CHECK_HELP"
HAS_THREADS=0; HAS_QUIET=0
grep -q -- '--threads' <<<"$CHECK_HELP" && HAS_THREADS=1
grep -q -- '--quiet' <<<"$CHECK_HELP" && HAS_QUIET=1
QUIET=(); ((HAS_QUIET)) && QUIET=(--quiet)
if ((HAS_THREADS)); then THREADS=(1 2); else
    THREADS=(default)
    note "imrlint check has no --threads option: imrlint is measured once, with its default threads"
fi

# ------------------------------------------------------------------------------ input files
# Fixed strings (one a line, no comments: rg -f reads every line as a pattern): the letter
# markers the parser keys on and phrases of rules/checks, rules/services.yaml, rules/concepts.yaml.
# Written only when missing, so a hand-edited patterns.txt is kept.
if [[ ! -s $PATTERNS ]]; then
    note "writing $PATTERNS"
    cat >"$PATTERNS" <<'EOF'
IMR ISSUES, DECISIONS AND RATIONALES
CLINICAL CASE SUMMARY
The Final Determination was based on decisions
Decision rationale:
MAXIMUS guideline:
Claims Administrator guideline:
Decision based on
did not cite any medical evidence
outside of the MTUS
Non-MTUS Citation
Non-MTUS
: Upheld
: Overturned
medically necessary
not medically necessary
Section(s):
Page(s):
Chronic Pain Medical Treatment
Low Back Complaints
Knee Complaints
Neck and Upper Back Complaints
Shoulder Complaints
Special Studies
Acupuncture Medical Treatment
Postsurgical Treatment
Official Disability Guidelines
ODG
ACOEM
red flag
cauda equina
fracture
radiculopathy
radicular
stroke
neurologic deficit
dermatomal
functional improvement
conservative treatment
failed
CRPS
surgical consultation
mechanical symptoms
urine drug screen
opioid
times a week
times per week
visits
sessions
weeks
TENS
NMES
H-wave
interferential
physical therapy
chiropractic
acupuncture
MRI
EMG
epidural steroid injection
Norco
tramadol
cyclobenzaprine
Lidoderm
gabapentin
criteria
recommended
not recommended
guidelines recommend
EOF
fi

# The whole rulebook's vocabulary, from the binary measured (`imrlint rules --phrases` and
# `--patterns`; older binaries lack them): every plain concept term, service name and
# synonym, and every regex the rules match (regex concept terms, `does_not_say` patterns),
# each file with the markers above. patterns.txt is a hand-picked sample of them; these
# files hold all of them, so rg looks for everything imrlint looks for.
PHRASES=""; RULEBOOK=""
if "$IMRLINT" rules --phrases >"$WORK/rulebook-phrases" 2>/dev/null &&
    "$IMRLINT" rules --patterns >"$WORK/rulebook-patterns" 2>/dev/null; then
    PHRASES=$WORK/phrases.txt; RULEBOOK=$WORK/rulebook.txt
    cat "$PATTERNS" "$WORK/rulebook-phrases" | awk 'NF && !seen[$0]++' >"$PHRASES"
    # Markers as regexes: escape what is special in rg's (Rust) regex syntax.
    { sed 's/[][\\.+*?(){}|^$#&~-]/\\&/g' "$PATTERNS"; cat "$WORK/rulebook-patterns"; } |
        awk 'NF && !seen[$0]++' >"$RULEBOOK"
    note "rulebook vocabulary: $(wc -l <"$PHRASES") fixed phrases, $(wc -l <"$RULEBOOK") regexes"
else
    note "imrlint rules --phrases is not supported: no whole-rulebook rg rows"
fi

write_semgrep_rules() {
    note "writing $SEMGREP_RULES"
    cat >"$SEMGREP_RULES" <<'EOF'
# Semgrep generic-mode approximations of three imrlint checks, for benches/batch/run.sh.
# They match the letter text only; imrlint's checks also read the rulebook (which body part a
# service concerns, whether the MTUS addresses it, whether the rationale gives a reason).
rules:
  # conclusion/decision-contradicts-rationale: "X: Upheld" but the rationale concludes
  # "... is medically necessary" (or "Overturned" and "is not medically necessary"), the
  # pattern-not keeping a match from running on into the next item's rationale.
  - id: decision-contradicts-rationale
    languages: [generic]
    severity: ERROR
    message: The item's decision contradicts the conclusion of its own rationale.
    options:
      generic_ellipsis_max_span: 40
    pattern-either:
      - patterns:
          - pattern: |
              $X: Upheld
              ...
              Decision rationale: ... is medically necessary
          - pattern-not: |
              $X: Upheld
              ...
              $Y: Overturned
              ...
              Decision rationale: ... is medically necessary
      - patterns:
          - pattern: |
              $X: Overturned
              ...
              Decision rationale: ... is not medically necessary
          - pattern-not: |
              $X: Overturned
              ...
              $Y: Upheld
              ...
              Decision rationale: ... is not medically necessary

  # citation/chapter-not-for-body-part: a knee or neck item whose MAXIMUS guideline line
  # cites the Low Back Complaints chapter (imrlint covers every body part and chapter).
  - id: chapter-not-for-body-part
    languages: [generic]
    severity: ERROR
    message: The cited guideline chapter covers another body part than the one in dispute.
    options:
      generic_ellipsis_max_span: 6
    patterns:
      - pattern-either:
          - pattern: |
              knee: $D
              ...
              MAXIMUS guideline: ... Low Back Complaints
          - pattern: |
              Knee: $D
              ...
              MAXIMUS guideline: ... Low Back Complaints
          - pattern: |
              cervical spine: $D
              ...
              MAXIMUS guideline: ... Low Back Complaints
          - pattern: |
              Cervical Spine: $D
              ...
              MAXIMUS guideline: ... Low Back Complaints
      - pattern-not-inside: |
          $D
          ...
          Decision rationale:
          ...
          MAXIMUS guideline: ... Low Back Complaints

  # citation/non-mtus-without-reason, text only: the decision rests on a Non-MTUS citation
  # alone (imrlint also asks whether the MTUS addresses the service and a reason is given).
  - id: non-mtus-without-reason
    languages: [generic]
    severity: WARNING
    message: Only a Non-MTUS source is cited.
    pattern: |
      MAXIMUS guideline: The Expert Reviewer based their decision on recommendation(s) outside
      of the MTUS Guidelines. Decision based on Non-MTUS Citation
EOF
}

# ------------------------------------------------------------------------------ corpus
# The corpus of N letters: copy i (0-based) is letter i % L of the sorted source letters,
# named r<replica>-<name>.txt (replica = i / L + 1) in subdirectory d<i / 1000>.
build_corpus() { # N -> prints the corpus directory
    local n=$1 dir="$CORPUS_ROOT/$1" want
    want="letters=$n source=$SOURCE files=${#LETTERS[@]} bytes=$(cat "${LETTERS[@]}" | wc -c)"
    if [[ -f $dir/.complete ]] && [[ $(<"$dir/.complete") == "$want" ]]; then
        note "reusing the corpus $dir"
        echo "$dir"; return
    fi
    note "building a corpus of $n letters in $dir"
    mkdir -p "$CORPUS_ROOT"
    rm -rf "$dir" "$dir.partial"
    local tmp="$dir.partial" L=${#LETTERS[@]} i k r sub name
    local -a text names
    for k in "${!LETTERS[@]}"; do
        # read -d '' keeps the file byte for byte (letters hold no NUL bytes).
        IFS= read -r -d '' 'text[k]' <"${LETTERS[k]}" || true
        names[k]=$(basename "${LETTERS[k]}")
    done
    for ((i = 0; i < n; i++)); do
        k=$((i % L)); r=$((i / L + 1))
        if ((i % PER_DIR == 0)); then sub=$(printf '%s/d%03d' "$tmp" $((i / PER_DIR))); mkdir -p "$sub"; fi
        printf -v name '%s/r%04d-%s' "$sub" "$r" "${names[k]}"
        printf '%s' "${text[k]}" >"$name"
    done
    # Spot check: the first copy of the first letter is identical to it.
    cmp -s "${LETTERS[0]}" "$tmp/d000/r0001-${names[0]}" || die "corpus copy differs from ${LETTERS[0]}"
    echo "$want" >"$tmp/.complete"
    mv "$tmp" "$dir"
    echo "$dir"
}

# ------------------------------------------------------------------------------ measuring
# measure STDOUT CMD... : runs CMD (stdout to STDOUT, stderr kept) REPEAT times under
# GNU time -v inside bash's `time`; sets M_WALL, M_CPU (user+sys, s, from bash's times at
# millisecond resolution, which include the grandchild reaped by /usr/bin/time), M_RSS (MiB,
# peak RSS from time -v), M_GNUCPU (user+sys as GNU time reports it, 10 ms resolution),
# M_RC (exit status of the last run) and M_ERR (its stderr file).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
measure() {
    local out=$1; shift
    local walls=() cpus=() rsss=() gcpus=() j tv=$WORK/time-v bt=$WORK/bash-time rc w u s
    M_ERR=$WORK/stderr
    for ((j = 0; j < REPEAT; j++)); do
        rc=0
        { TIMEFORMAT='%3R %3U %3S'; time /usr/bin/time -v -o "$tv" "$@" >"$out" 2>"$M_ERR"; } 2>"$bt" || rc=$?
        read -r w u s <"$bt"
        walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.3f", u + s}')")
        rsss+=("$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$tv")")
        gcpus+=("$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$tv")")
        if grep -q 'Command terminated by signal' "$tv"; then rc=$((128 + $(awk '/terminated by signal/ {print $NF}' "$tv")))
        else rc=$(awk -F': ' '/Exit status/ {print $2}' "$tv"); fi
    done
    M_WALL=$(median "${walls[@]}"); M_CPU=$(median "${cpus[@]}")
    M_RSS=$(median "${rsss[@]}"); M_GNUCPU=$(median "${gcpus[@]}"); M_RC=$rc
}

FAILED=0
ROWS=()      # letters|tool|threads|wall|cpu|rss|base-key|extra
declare -A BASE_CPU  # "<letters>/<threads>" -> rg CPU
declare -A RG_PHRASES RG_RULEBOOK IMRLINT_JSON1  # "<letters>" -> CPU of those runs
# run_case LETTERS TOOL THREADS BASEKEY OKCODES STDOUT CMD... ; OKCODES like "0 1"
run_case() {
    local n=$1 tool=$2 th=$3 basekey=$4 ok=$5 out=$6; shift 6
    note "  $tool (threads $th) ..."
    measure "$out" "$@"
    if [[ " $ok " != *" $M_RC "* ]]; then
        note "  FAILED: '$*' exited with status $M_RC; its standard error ends:"
        tail -n 5 "$M_ERR" | sed 's/^/    /' >&2
        FAILED=1
        ROWS+=("$n|$tool|$th|FAILED (exit $M_RC)|||$basekey|")
        return 0
    fi
    ROWS+=("$n|$tool|$th|$M_WALL|$M_CPU|$M_RSS|$basekey|${EXTRA:-}")
    note "    wall ${M_WALL}s, CPU ${M_CPU}s (time -v: ${M_GNUCPU}s), peak RSS ${M_RSS} MiB"
}

# cpu_once CMD... : one run, stdout to /dev/null; prints user + sys seconds. Exit status
# 0 or 1 is a run (rg and imrlint exit 1 when they find nothing / report findings).
cpu_once() {
    local bt=$WORK/bash-time-once rc=0 w u s
    { TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null 2>"$WORK/stderr-once"; } 2>"$bt" || rc=$?
    ((rc <= 1)) || { echo "FAILED"; return 0; }
    read -r w u s <"$bt"
    awk -v u="$u" -v s="$s" 'BEGIN {printf "%.3f", u + s}'
}

# Paired rounds at one size: rg patterns.txt, rg -i phrases.txt, imrlint json, in turn.
declare -A PAIR_ROWS  # "<letters>" -> "imrlint|rg|ratio med|min|max|phrases|ratio med|min|max"
paired() { # letters corpus
    local n=$1 corpus=$2 r a b c
    local ic=() rc=() pc=() r1=() r2=()
    note "  paired rounds: $PAIRED"
    for ((r = 0; r < PAIRED; r++)); do
        a=$(cpu_once rg -j 1 -c -F -f "$PATTERNS" "$corpus")
        c=""
        [[ -n $PHRASES ]] && c=$(cpu_once rg -j 1 -c -i -F -f "$PHRASES" "$corpus")
        b=$(cpu_once "$IMRLINT" check --format json "${QUIET[@]}" --threads 1 "$corpus")
        if [[ $a == FAILED || $b == FAILED || $c == FAILED ]]; then
            note "  paired round $r: a run failed"; FAILED=1; continue
        fi
        ic+=("$b"); rc+=("$a"); r1+=("$(awk -v b="$b" -v a="$a" 'BEGIN {printf "%.3f", b / a}')")
        if [[ -n $c ]]; then pc+=("$c"); r2+=("$(awk -v b="$b" -v c="$c" 'BEGIN {printf "%.3f", b / c}')"); fi
    done
    ((${#ic[@]})) || return 0
    local mm1 mm2="||||"
    mm1="$(median "${r1[@]}")|$(printf '%s\n' "${r1[@]}" | sort -g | head -1)|$(printf '%s\n' "${r1[@]}" | sort -g | tail -1)"
    if ((${#r2[@]})); then
        mm2="$(median "${pc[@]}")|$(median "${r2[@]}")|$(printf '%s\n' "${r2[@]}" | sort -g | head -1)|$(printf '%s\n' "${r2[@]}" | sort -g | tail -1)"
    fi
    PAIR_ROWS["$n"]="$(median "${ic[@]}")|$(median "${rc[@]}")|$mm1|$mm2"
}

THOPT=()
set_thopt() { # threads -> THOPT, the option words
    THOPT=(); [[ $1 == default ]] || THOPT=(--threads "$1")
}

SEMGREP_BIN=""
if ((SEMGREP)); then
    write_semgrep_rules
    if [[ ! -x $SEMGREP_VENV/bin/semgrep ]]; then
        note "installing semgrep into $SEMGREP_VENV (python3 -m venv; pip install semgrep)"
        if ! { python3 -m venv "$SEMGREP_VENV" && "$SEMGREP_VENV/bin/pip" install -q semgrep; } >"$WORK/semgrep-install.log" 2>&1; then
            note "semgrep could not be installed (log below); continuing without the semgrep runs"
            tail -n 5 "$WORK/semgrep-install.log" | sed 's/^/    /' >&2
        fi
    fi
    if [[ -x $SEMGREP_VENV/bin/semgrep ]] && "$SEMGREP_VENV/bin/semgrep" --version >/dev/null 2>&1; then
        SEMGREP_BIN="$SEMGREP_VENV/bin/semgrep"
        export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
    else
        note "semgrep is not available: the semgrep comparison is skipped"
    fi
fi

SG_ROWS=()
# Findings of the three checks as "total = contradiction + chapter + non-MTUS".
findings_text() { # count-of-decision count-of-chapter count-of-non-mtus
    echo "$(($1 + $2 + $3)) = $1 + $2 + $3"
}
semgrep_findings() { # semgrep --json output
    local ids
    [[ -s $1 ]] || { echo "?"; return; }
    ids=$(grep -o '"check_id": *"[^"]*"' "$1" | sed 's/"$//; s/.*[".]//' || true)
    findings_text "$(grep -c -x 'decision-contradicts-rationale' <<<"$ids" || true)" \
        "$(grep -c -x 'chapter-not-for-body-part' <<<"$ids" || true)" \
        "$(grep -c -x 'non-mtus-without-reason' <<<"$ids" || true)"
}
imrlint_findings() { # imrlint --format json output
    local by c k counts=()
    by=$(grep -o '"by_code": *{[^}]*}' "$1" || true)
    [[ -n $by ]] || { echo "?"; return; }
    for k in conclusion/decision-contradicts-rationale citation/chapter-not-for-body-part citation/non-mtus-without-reason; do
        c=$(grep -o "\"$k\": *[0-9]*" <<<"$by" | grep -o '[0-9]*$' || true)
        counts+=("${c:-0}")
    done
    findings_text "${counts[@]}"
}

for n in "${SIZES[@]}"; do
    corpus=$(build_corpus "$n")
    note "letters: $n (corpus $corpus)"
    # Warm the page cache so that no tool pays for the first read.
    find "$corpus" -type f -name '*.txt' -exec cat {} + >/dev/null

    EXTRA=""
    for j in 1 2; do
        run_case "$n" "rg -c -F -f patterns.txt" "$j" "" "0 1" /dev/null \
            rg -j "$j" -c -F -f "$PATTERNS" "$corpus"
        BASE_CPU["$n/$j"]=$M_CPU
    done
    run_case "$n" "rg -c -i -F -f patterns.txt" 1 "$n/1" "0 1" /dev/null \
        rg -j 1 -c -i -F -f "$PATTERNS" "$corpus"
    if [[ -n $PHRASES ]]; then
        run_case "$n" "rg -c -i -F -f phrases.txt" 1 "$n/1" "0 1" /dev/null \
            rg -j 1 -c -i -F -f "$PHRASES" "$corpus"
        RG_PHRASES["$n"]=$M_CPU
        run_case "$n" "rg -c -f rulebook.txt" 1 "$n/1" "0 1" /dev/null \
            rg -j 1 -c -f "$RULEBOOK" "$corpus"
        RG_RULEBOOK["$n"]=$M_CPU
    fi
    for fmt in json concise; do
        for th in "${THREADS[@]}"; do
            key="$n/$th"; [[ $th == default ]] && key="$n/2"
            set_thopt "$th"
            run_case "$n" "imrlint check --format $fmt" "$th" "$key" "0 1" /dev/null \
                "$IMRLINT" check --format "$fmt" "${QUIET[@]}" "${THOPT[@]}" "$corpus"
            [[ $fmt == json && $th != 2 ]] && IMRLINT_JSON1["$n"]=$M_CPU
        done
    done
    if ((PAIRED)) && ((HAS_THREADS)); then paired "$n" "$corpus"; fi

    if [[ -n $SEMGREP_BIN ]] && ((n <= SEMGREP_MAX)); then
        for j in 1 2; do
            sg_json=$WORK/semgrep.json
            rm -f "$sg_json"
            run_case "$n" "semgrep scan (3 rules)" "$j" "$n/$j" "0 1" /dev/null \
                "$SEMGREP_BIN" scan --metrics=off --disable-version-check --quiet --jobs "$j" \
                --config "$SEMGREP_RULES" --json --output "$sg_json" "$corpus"
            last=${ROWS[-1]}; unset 'ROWS[-1]'
            findings=$(semgrep_findings "$sg_json")
            scanned=$(grep -o '"scanned": *\[[^]]*\]' "$sg_json" 2>/dev/null | grep -o '\.txt"' | wc -l || true)
            [[ $scanned == "$n" ]] || note "  warning: semgrep scanned $scanned files, not $n"
            SG_ROWS+=("$last$findings")
        done
        for th in "${THREADS[@]}"; do
            key="$n/$th"; [[ $th == default ]] && key="$n/2"
            set_thopt "$th"
            run_case "$n" "imrlint check --select (3 checks)" "$th" "$key" "0 1" "$WORK/select.json" \
                "$IMRLINT" check --format json "${QUIET[@]}" "${THOPT[@]}" \
                --select "$SELECT_CODES" "$corpus"
            last=${ROWS[-1]}; unset 'ROWS[-1]'
            SG_ROWS+=("$last$(imrlint_findings "$WORK/select.json")")
        done
    fi
done

# ------------------------------------------------------------------------------ report
ratio() { # cpu base -> text
    awk -v c="$1" -v b="$2" 'BEGIN {if (b == "" || c == "" || b + 0 <= 0) print "n/a"; else printf "%.1f", c / b}'
}
xratio() { local r; r=$(ratio "$1" "$2"); [[ $r == n/a ]] && echo "$r" || echo "${r}x"; }
rate() { awk -v n="$1" -v w="$2" 'BEGIN {if (w + 0 <= 0) print "n/a"; else printf "%.0f", n / w}'; }

table() { # header-extra rows...
    local extra=$1; shift
    local hdr="| letters | tool | threads | wall s | CPU s | peak RSS MiB | CPU / rg CPU | letters/s |"
    local sep="|---:|---|---:|---:|---:|---:|---:|---:|"
    if [[ -n $extra ]]; then hdr+=" $extra |"; sep+="---:|"; fi
    echo "$hdr"; echo "$sep"
    local row n tool th wall cpu rss key ex base
    for row in "$@"; do
        IFS='|' read -r n tool th wall cpu rss key ex <<<"$row"
        if [[ $wall == FAILED* ]]; then
            echo "| $n | \`$tool\` | $th | $wall | | | | |$([[ -n $extra ]] && echo " |")"; continue
        fi
        if [[ -z $key ]]; then base=$cpu; else base=${BASE_CPU[$key]:-}; fi
        printf '| %s | `%s` | %s | %.3f | %.3f | %.1f | %s | %s |' \
            "$n" "$tool" "$th" "$wall" "$cpu" "$rss" "$(ratio "$cpu" "$base")" "$(rate "$n" "$wall")"
        if [[ -n $extra ]]; then printf ' %s |' "$ex"; fi
        echo
    done
}

per_letter_table() { # CPU ms per letter of each tool and threads, one column a size
    local row n tool th wall cpu rss key ex
    local -A cell seen
    local order=()
    for row in "${ROWS[@]}" "${SG_ROWS[@]}"; do
        IFS='|' read -r n tool th wall cpu rss key ex <<<"$row"
        [[ $wall == FAILED* ]] && continue
        if [[ -z ${seen["$tool|$th"]:-} ]]; then seen["$tool|$th"]=1; order+=("$tool|$th"); fi
        cell["$tool|$th|$n"]=$(awk -v c="$cpu" -v n="$n" 'BEGIN {printf "%.3f", 1000 * c / n}')
    done
    printf '| tool | threads |'; for n in "${SIZES[@]}"; do printf ' %s |' "$n"; done; echo
    printf '|---|---:|'; for n in "${SIZES[@]}"; do printf -- '---:|'; done; echo
    local t
    for t in "${order[@]}"; do
        printf '| `%s` | %s |' "${t%%|*}" "${t#*|}"
        for n in "${SIZES[@]}"; do printf ' %s |' "${cell["$t|$n"]:-}"; done; echo
    done
}

report() {
    local cpu_model rgv git_rev
    cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
    rgv=$(rg --version); rgv=${rgv%%$'\n'*}
    if [[ -n $REV ]]; then
        git_rev="commit ${REV_SHA:0:7}, built from a clean copy (--rev $REV)"
    elif [[ $IMRLINT_BIN == "$REPO/target/release/imrlint" ]]; then
        git_rev="working tree at commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "?")"
        if ! git -C "$REPO" diff --quiet HEAD -- src rules 2>/dev/null; then git_rev+=", src/ or rules/ modified"; fi
    else
        git_rev="binary $IMRLINT_BIN"
    fi
    git_rev+=", binary sha256 $(sha256sum "$IMRLINT" | cut -c1-12)"
    echo "## Batch benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`benches/batch/run.sh $*\`"
    echo "- machine: $(nproc) cores ($cpu_model), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
    echo "- $("$IMRLINT" --version) ($git_rev); $rgv$([[ -n $SEMGREP_BIN ]] && echo ", semgrep $("$SEMGREP_BIN" --version 2>/dev/null)")"
    echo "- corpus: the ${#LETTERS[@]} letters of \`$SOURCE\` ($(cat "${LETTERS[@]}" | wc -c) bytes) replicated, at most $PER_DIR files a directory; page cache warm; median of $REPEAT run(s)"
    echo "- imrlint options: --quiet $([[ $HAS_QUIET == 1 ]] && echo used || echo "not supported"), --threads $([[ $HAS_THREADS == 1 ]] && echo "1 and 2" || echo "not supported (default threads)"); output to /dev/null"
    echo "- CPU = user + sys of the process tree; CPU / rg CPU divides by \`rg -c -F -f patterns.txt\` with the same thread count (rg -j N); letters/s = letters / wall"
    echo
    table "" "${ROWS[@]}"
    echo
    if [[ -n $PHRASES ]]; then
        echo "imrlint \`check --format json\` on 1 thread against three rg yardsticks (CPU / rg CPU):"
        echo "\`patterns.txt\`: $(grep -c . "$PATTERNS") hand-picked markers and phrases, case-sensitive;"
        echo "\`phrases.txt\`: those and all $(wc -l <"$WORK/rulebook-phrases") fixed phrases of the rulebook, case-insensitive as imrlint matches them;"
        echo "\`rulebook.txt\`: the same and the rulebook's $(($(wc -l <"$WORK/rulebook-patterns") - $(wc -l <"$WORK/rulebook-phrases"))) regexes, as plain \`rg -c -f\` patterns."
        echo
        echo "| letters | imrlint CPU s | / rg patterns.txt | / rg -i phrases.txt | / rg rulebook.txt |"
        echo "|---:|---:|---:|---:|---:|"
        local n c
        for n in "${SIZES[@]}"; do
            c=${IMRLINT_JSON1[$n]:-}
            [[ -n $c ]] || continue
            echo "| $n | $c | $(ratio "$c" "${BASE_CPU[$n/1]:-}") | $(ratio "$c" "${RG_PHRASES[$n]:-}") | $(ratio "$c" "${RG_RULEBOOK[$n]:-}") |"
        done
        echo
        # The ratios above carry each tool's start-up (rg compiles 1,500 case-insensitive
        # phrases in about half a second); what a larger batch adds is the cost of a letter.
        local sorted prev="" d
        mapfile -t sorted < <(printf '%s\n' "${SIZES[@]}" | sort -n)
        local rows=()
        for n in "${sorted[@]}"; do
            if [[ -n $prev && -n ${IMRLINT_JSON1[$n]:-} && -n ${IMRLINT_JSON1[$prev]:-} ]]; then
                d=$(awk -v a="${IMRLINT_JSON1[$prev]}" -v b="${IMRLINT_JSON1[$n]}" -v m="$prev" -v n="$n" \
                    'BEGIN {printf "%.4f", 1000 * (b - a) / (n - m)}')
                local r1 r2 r3
                r1=$(awk -v a="${BASE_CPU[$prev/1]:-}" -v b="${BASE_CPU[$n/1]:-}" -v m="$prev" -v n="$n" \
                    'BEGIN {if (a == "" || b == "") print ""; else printf "%.4f", 1000 * (b - a) / (n - m)}')
                r2=$(awk -v a="${RG_PHRASES[$prev]:-}" -v b="${RG_PHRASES[$n]:-}" -v m="$prev" -v n="$n" \
                    'BEGIN {if (a == "" || b == "") print ""; else printf "%.4f", 1000 * (b - a) / (n - m)}')
                r3=$(awk -v a="${RG_RULEBOOK[$prev]:-}" -v b="${RG_RULEBOOK[$n]:-}" -v m="$prev" -v n="$n" \
                    'BEGIN {if (a == "" || b == "") print ""; else printf "%.4f", 1000 * (b - a) / (n - m)}')
                rows+=("| $prev -> $n | $d | $r1 ($(ratio "$d" "$r1")x) | $r2 ($(ratio "$d" "$r2")x) | $r3 ($(ratio "$d" "$r3")x) |")
            fi
            prev=$n
        done
        if ((${#rows[@]})); then
            echo "CPU ms a letter between two batch sizes (CPU difference / letters added; start-up cancels out), and imrlint's ratio to each rg yardstick:"
            echo
            echo "| letters | imrlint | rg patterns.txt | rg -i phrases.txt | rg rulebook.txt |"
            echo "|---|---:|---:|---:|---:|"
            printf '%s\n' "${rows[@]}"
            echo
        fi
    fi
    if ((${#PAIR_ROWS[@]})); then
        echo "Paired rounds (\`--paired $PAIRED\`): each round runs \`rg -c -F -f patterns.txt\`, \`rg -c -i -F -f phrases.txt\` and imrlint \`check --format json --threads 1\` one after the other, and the ratio is taken within the round; the table gives the median CPU of each and the median (min-max) of the rounds' ratios:"
        echo
        echo "| letters | rounds | imrlint CPU s | rg patterns.txt CPU s | imrlint / rg patterns.txt | rg -i phrases.txt CPU s | imrlint / rg -i phrases.txt |"
        echo "|---:|---:|---:|---:|---:|---:|---:|"
        local n pi pr m1 lo1 hi1 pp m2 lo2 hi2 sorted2 prev2="" pprev=()
        mapfile -t sorted2 < <(printf '%s\n' "${!PAIR_ROWS[@]}" | sort -n)
        for n in "${sorted2[@]}"; do
            IFS='|' read -r pi pr m1 lo1 hi1 pp m2 lo2 hi2 <<<"${PAIR_ROWS[$n]}"
            printf '| %s | %s | %.3f | %.3f | %.1fx (%.1f-%.1f) |' "$n" "$PAIRED" "$pi" "$pr" "$m1" "$lo1" "$hi1"
            if [[ -n $pp ]]; then printf ' %.3f | %.1fx (%.1f-%.1f) |\n' "$pp" "$m2" "$lo2" "$hi2"; else echo " | |"; fi
        done
        echo
        local rowsm=() a b
        for n in "${sorted2[@]}"; do
            if [[ -n $prev2 ]]; then
                IFS='|' read -r pi pr m1 lo1 hi1 pp m2 lo2 hi2 <<<"${PAIR_ROWS[$n]}"
                IFS='|' read -r a b _ _ _ c _ _ _ <<<"${PAIR_ROWS[$prev2]}"
                local di dr dp
                di=$(awk -v x="$a" -v y="$pi" -v m="$prev2" -v n="$n" 'BEGIN {printf "%.4f", 1000 * (y - x) / (n - m)}')
                dr=$(awk -v x="$b" -v y="$pr" -v m="$prev2" -v n="$n" 'BEGIN {printf "%.4f", 1000 * (y - x) / (n - m)}')
                dp=""
                [[ -n $pp && -n $c ]] && dp=$(awk -v x="$c" -v y="$pp" -v m="$prev2" -v n="$n" 'BEGIN {printf "%.4f", 1000 * (y - x) / (n - m)}')
                rowsm+=("| $prev2 -> $n | $di | $dr ($(xratio "$di" "$dr")) | ${dp:-n/a}$([[ -n $dp ]] && echo " ($(xratio "$di" "$dp"))") |")
            fi
            prev2=$n
        done
        if ((${#rowsm[@]})); then
            echo "From the paired medians, CPU ms a letter between two sizes:"
            echo
            echo "| letters | imrlint | rg patterns.txt | rg -i phrases.txt |"
            echo "|---|---:|---:|---:|"
            printf '%s\n' "${rowsm[@]}"
            echo
        fi
    fi
    echo "CPU ms per letter (flat across a row = linear growth):"
    echo
    per_letter_table
    if ((${#SG_ROWS[@]})); then
        echo
        echo "Semgrep (generic mode, \`semgrep-rules.yaml\`) against imrlint restricted to the same three checks (\`--select $SELECT_CODES\`); CPU / rg CPU is against rg with the same thread count:"
        echo
        table "findings (contradiction + chapter + non-MTUS)" "${SG_ROWS[@]}"
        echo
        local n row sgc ilc tool th wall cpu rss key ex
        for n in "${SIZES[@]}"; do
            for th in 1 2; do
                sgc=""; ilc=""
                for row in "${SG_ROWS[@]}"; do
                    IFS='|' read -r rn tool rth wall cpu rss key ex <<<"$row"
                    [[ $rn == "$n" && $wall != FAILED* ]] || continue
                    [[ $tool == semgrep* && $rth == "$th" ]] && sgc=$cpu
                    [[ $tool == imrlint* && ( $rth == "$th" || $rth == default ) ]] && ilc=$cpu
                done
                [[ -n $sgc && -n $ilc ]] && echo "- $n letters, $th thread(s): semgrep CPU / imrlint --select CPU = $(ratio "$sgc" "$ilc")"
            done
        done
    elif ((SEMGREP)); then
        echo
        echo "Semgrep was requested but is not available: no semgrep rows."
    fi
    return 0
}

ARGS_TEXT=""
((${#ORIG_ARGS[@]})) && ARGS_TEXT=$(printf '%q ' "${ORIG_ARGS[@]}")
report_file=$WORK/report.md
report "${ARGS_TEXT% }" >"$report_file"
echo
cat "$report_file"
if [[ -n $OUT ]]; then cp "$report_file" "$OUT"; note "report written to $OUT"; fi
exit "$FAILED"
