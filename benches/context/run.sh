#!/usr/bin/env bash
# Compares `imrlint context` with medspaCy's ConText on NegEx-format
# annotation files; prints a Markdown report. Run from the repository root:
#
#   bash benches/context/run.sh [FILE...]
#
# Default FILE: ../shared/data/negex/rsAnnotations-1-120-random.txt.
# Environment: MEDSPACY_VENV (default /tmp/medspacy-venv), IMRLINT (default
# target/release/imrlint, brought up to date with `cargo build --release`).
set -euo pipefail

if [[ ! -f Cargo.toml || ! -f benches/context/medspacy.py ]]; then
    echo "run.sh: run this from the imrlint repository root" >&2
    exit 2
fi

VENV=${MEDSPACY_VENV:-/tmp/medspacy-venv}
IMRLINT=${IMRLINT:-target/release/imrlint}
if [[ $# -eq 0 ]]; then
    set -- ../shared/data/negex/rsAnnotations-1-120-random.txt
fi
for f in "$@"; do
    if [[ ! -f $f ]]; then
        echo "run.sh: no such annotation file: $f" >&2
        exit 2
    fi
done

if ! "$VENV/bin/python" -c 'import medspacy' >/dev/null 2>&1; then
    echo "run.sh: setting up medspaCy in $VENV" >&2
    if ! python3 -m venv "$VENV"; then
        echo "run.sh: could not create a Python venv at $VENV (is python3-venv installed?)" >&2
        exit 1
    fi
    if ! "$VENV/bin/pip" install --quiet medspacy >&2; then
        echo "run.sh: 'pip install medspacy' failed; no comparison was run" >&2
        exit 1
    fi
    if ! "$VENV/bin/python" -c 'import medspacy' >/dev/null; then
        echo "run.sh: medspacy installed but does not import; no comparison was run" >&2
        exit 1
    fi
fi

if [[ $IMRLINT == target/release/imrlint ]]; then
    # A no-op when the release binary is up to date.
    echo "run.sh: cargo build --release" >&2
    cargo build --release --quiet >&2
elif [[ ! -x $IMRLINT ]]; then
    echo "run.sh: no imrlint binary at $IMRLINT" >&2
    exit 2
fi

exec "$VENV/bin/python" benches/context/medspacy.py --imrlint "$IMRLINT" "$@"
