#!/usr/bin/env python3
"""Side-by-side comparison of `imrlint context` with medspaCy's ConText.

Reads one or more NegEx-format annotation files (tab-separated, header row;
columns id, condition, sentence, then optional negation / temporality /
experiencer labels), runs

  * imrlint: `IMRLINT context --format json FILE` (and `context FILE` for its
    own human score table, to check this script's scorer against it), and
  * medspaCy: a blank English pipeline with medspaCy's tokenizer and its
    ConText component with the bundled default rules; the condition, located
    in the sentence as imrlint locates it, is the one target entity and the
    whole row is one sentence (run twice: with ConText's default settings and
    with prune_on_target_overlap=True, see PIPES),

then scores both with one scorer (a port of imrlint's
`context::annotations::Scores`) and prints Markdown: the score table, the
negation disagreements between the two broken down against the gold label,
and a few examples of each kind.

The parser, `locate` and the scorer below are line-for-line ports of
src/context/annotations.rs; keep them in step with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Optional

# This file is named medspacy.py: keep its own folder off the import path so
# that `import medspacy` finds the package, not this script.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

AFFIRMED, NEGATED, POSSIBLE = "Affirmed", "Negated", "Possible"
RECENT, HISTORICAL, HYPOTHETICAL = "Recent", "Historical", "Hypothetical"
PATIENT, OTHER = "Patient", "Other"


# --- the annotation format (port of annotations::parse) ---------------------


@dataclass
class Row:
    line: int
    id: str
    condition: str
    sentence: str
    negation: Optional[str]
    temporality: Optional[str]
    experiencer: Optional[str]


def _unquote(s: str) -> str:
    t = s.strip()
    if len(t) >= 2 and t.startswith('"') and t.endswith('"'):
        return t[1:-1]
    return s


NEGATION_LABELS = {"affirmed": AFFIRMED, "negated": NEGATED, "possible": POSSIBLE}
TEMPORALITY_LABELS = {
    "recent": RECENT,
    "historical": HISTORICAL,
    "hypothetical": HYPOTHETICAL,
    "not particular": HYPOTHETICAL,
}
EXPERIENCER_LABELS = {"patient": PATIENT, "other": OTHER, "family member": OTHER}


def parse(text: str) -> list[Row]:
    """Rows of an annotation file's text; ValueError naming the line."""
    # Rust's str::lines: split on \n, drop one trailing \r, no final empty line.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    if not lines:
        raise ValueError("empty file: expected a header row and annotated sentences")
    if len(lines[0].split("\t")) < 3:
        raise ValueError(
            "line 1: expected a tab-separated header row with at least 3 columns"
        )
    rows = []
    for i, raw in enumerate(lines[1:], start=2):
        raw = raw.rstrip("\r")
        if not raw.strip():
            continue
        cols = raw.split("\t")
        if len(cols) < 3:
            raise ValueError(
                f"line {i}: expected at least 3 tab-separated columns, found {len(cols)}"
            )

        def label(n: int, table: dict, what: str) -> Optional[str]:
            if n >= len(cols):
                return None
            l = _unquote(cols[n]).strip().lower()
            if not l:
                return None
            if l not in table:
                raise ValueError(f"line {i}: unknown {what} {l!r}")
            return table[l]

        rows.append(
            Row(
                line=i,
                id=cols[0].strip(),
                condition=_unquote(cols[1]).strip(),
                sentence=_unquote(cols[2]),
                negation=label(3, NEGATION_LABELS, "negation status"),
                temporality=label(4, TEMPORALITY_LABELS, "temporality"),
                experiencer=label(5, EXPERIENCER_LABELS, "experiencer"),
            )
        )
    return rows


# --- finding the condition (port of annotations::locate) --------------------


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _word_spans(s: str) -> list[list[int]]:
    out: list[list[int]] = []
    prev_word = False
    for i, c in enumerate(s):
        w = _is_word(c)
        if c.isspace():
            prev_word = False
            continue
        if w and prev_word and out:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
        prev_word = w
    return out


def _ascii_lower(s: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def locate(sentence: str, condition: str) -> Optional[tuple[int, int]]:
    """(start, end) of the condition in the sentence: case-insensitive (ASCII),
    any whitespace run matching any other, on whole words; of several, the
    first written in capitals in a mixed-case sentence, else the first."""
    words = condition.split()
    if not words:
        return None
    found = []
    for start, _ in _word_spans(sentence):
        at = start
        end = start
        ok = True
        for k, w in enumerate(words):
            rest = sentence[at:]
            rest_trim = rest if k == 0 else rest.lstrip()
            skipped = len(rest) - len(rest_trim)
            if k > 0 and skipped == 0:
                ok = False
                break
            head = rest_trim[: len(w)]
            if len(head) < len(w) or _ascii_lower(head) != _ascii_lower(w):
                ok = False
                break
            at += skipped + len(w)
            end = at
        if not ok:
            continue
        if end >= len(sentence) or not _is_word(sentence[end]):
            found.append((start, end))
    mixed = any(c.islower() for c in sentence)
    for r in found:
        if mixed and not any(c.islower() for c in sentence[r[0] : r[1]]):
            return r
    return found[0] if found else None


# --- scoring (port of annotations::Scores) ----------------------------------


@dataclass
class Scores:
    rows: int = 0
    not_found: int = 0
    negation_labelled: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    temporality_labelled: int = 0
    temporality_correct: int = 0
    experiencer_labelled: int = 0
    experiencer_correct: int = 0

    def add(self, row: Row, found: bool, n: str, t: str, e: str) -> None:
        self.rows += 1
        if not found:
            self.not_found += 1
        if row.negation is not None:
            self.negation_labelled += 1
            gold, pred = row.negation == NEGATED, n == NEGATED
            if gold and pred:
                self.tp += 1
            elif pred:
                self.fp += 1
            elif gold:
                self.fn += 1
            else:
                self.tn += 1
        if row.temporality is not None:
            self.temporality_labelled += 1
            self.temporality_correct += int(row.temporality == t)
        if row.experiencer is not None:
            self.experiencer_labelled += 1
            self.experiencer_correct += int(row.experiencer == e)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return 0.0 if b == 0 else a / b

    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def negation_accuracy(self) -> float:
        return self._ratio(self.tp + self.tn, self.negation_labelled)

    def temporality_accuracy(self) -> float:
        return self._ratio(self.temporality_correct, self.temporality_labelled)

    def experiencer_accuracy(self) -> float:
        return self._ratio(self.experiencer_correct, self.experiencer_labelled)


@dataclass
class Prediction:
    found: bool
    negation: str = AFFIRMED
    temporality: str = RECENT
    experiencer: str = PATIENT
    cues: list[str] = field(default_factory=list)


def score(rows: list[Row], preds: list[Prediction]) -> Scores:
    s = Scores()
    for row, p in zip(rows, preds, strict=True):
        # A condition not found is scored as Affirmed, Recent, Patient.
        if p.found:
            s.add(row, True, p.negation, p.temporality, p.experiencer)
        else:
            s.add(row, False, AFFIRMED, RECENT, PATIENT)
    return s


# --- imrlint ----------------------------------------------------------------


def run_imrlint(binary: str, path: str, rows: list[Row]):
    """imrlint's predictions (from --format json), its human output's cues,
    and the counts its own human score table prints."""
    t0 = time.perf_counter()
    js = subprocess.run(
        [binary, "context", "--format", "json", path],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    judged = json.loads(js.stdout)
    if len(judged) != len(rows):
        raise SystemExit(
            f"imrlint gave {len(judged)} rows for {path}, this script read {len(rows)}"
        )
    human = subprocess.run(
        [binary, "context", path], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    preds = []
    for k, (row, j) in enumerate(zip(rows, judged)):
        if j["id"] != row.id or j["condition"] != row.condition:
            raise SystemExit(
                f"{path} line {row.line}: imrlint's row {k} is {j['id']!r} {j['condition']!r}"
            )
        if row.id and not human[k].startswith(row.id + "\t"):
            raise SystemExit(f"{path}: imrlint's human line {k} is {human[k]!r}")
        cols = human[k].split("\t")
        cues = []
        if j["found"] and len(cols) > 5 and cols[5].startswith("["):
            cues = [cols[5][1:-1]]
        if j["found"]:
            preds.append(
                Prediction(True, j["negation"], j["temporality"], j["experiencer"], cues)
            )
        else:
            preds.append(Prediction(False))
    return preds, own_table(human[len(rows) :]), elapsed


def own_table(lines: list[str]) -> dict[str, int]:
    """The counts in imrlint's own human score table."""
    text = "\n".join(lines)
    got: dict[str, int] = {}
    pats = {
        r"(\d+) sentences, (\d+) conditions not found": ("rows", "not_found"),
        r"negation \(negated = positive\), (\d+) labelled: TP (\d+) FP (\d+) FN (\d+) TN (\d+)": (
            "negation_labelled",
            "tp",
            "fp",
            "fn",
            "tn",
        ),
        r"temporality accuracy [\d.]+ \((\d+)/(\d+)\)": (
            "temporality_correct",
            "temporality_labelled",
        ),
        r"experiencer accuracy [\d.]+ \((\d+)/(\d+)\)": (
            "experiencer_correct",
            "experiencer_labelled",
        ),
    }
    for pat, names in pats.items():
        m = re.search(pat, text)
        if m:
            for name, v in zip(names, m.groups()):
                got[name] = int(v)
    # The printed rounded figures, to compare too.
    m = re.search(
        r"precision ([\d.]+)\s+recall ([\d.]+)\s+F ([\d.]+)\s+accuracy ([\d.]+)", text
    )
    if m:
        got["printed"] = tuple(m.groups())
    return got


def check_against_own(s: Scores, own: dict) -> list[str]:
    """Differences between this script's scores of imrlint's JSON and the
    table imrlint printed itself."""
    diffs = []
    for name, v in own.items():
        if name == "printed":
            mine = tuple(
                f"{x:.3f}"
                for x in (s.precision(), s.recall(), s.f1(), s.negation_accuracy())
            )
            if mine != v:
                diffs.append(f"P/R/F/acc: script {mine}, imrlint {v}")
        elif getattr(s, name) != v:
            diffs.append(f"{name}: script {getattr(s, name)}, imrlint {v}")
    for name in ("negation_labelled", "temporality_labelled", "experiencer_labelled"):
        if getattr(s, name) and name not in own:
            diffs.append(f"{name}: script {getattr(s, name)}, imrlint printed none")
    return diffs


# --- medspaCy ---------------------------------------------------------------


# The ConText components compared: medspaCy's defaults, and the same with
# `prune_on_target_overlap=True`, which drops a modifier that overlaps the
# target. medspaCy's own self-modification check (`tuple_overlaps(modifier,
# target)` in ConTextModifier.modifies) is one-sided: it misses a modifier
# lying wholly inside a longer target ("Neck - supple, NO lymphadenopathy"),
# which then modifies that target. imrlint never takes the target's own words
# as cues, so the pruned row is the like-for-like one on that point.
PIPES = {
    "default": ("medspacy_context", {}),
    "pruned": ("medspacy_context_pruned", {"prune_on_target_overlap": True}),
}


def load_medspacy():
    import medspacy

    # Blank English + medspaCy's tokenizer + ConText with its default rules.
    # No sentence splitter (each row is one sentence, set below) and no
    # target matcher (the target is the annotated condition).
    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer", "medspacy_context"])
    name, config = PIPES["pruned"]
    nlp.add_pipe("medspacy_context", name=name, config=config)
    return nlp, medspacy.__version__


def run_medspacy(nlp, rows: list[Row], pipe: str = "default"):
    context = nlp.get_pipe(PIPES[pipe][0])
    preds = []
    expanded = 0
    t0 = time.perf_counter()
    for row in rows:
        where = locate(row.sentence, row.condition)
        if where is None:
            preds.append(Prediction(False))
            continue
        doc = nlp.make_doc(row.sentence)
        for k, tok in enumerate(doc):
            tok.is_sent_start = k == 0
        span = doc.char_span(where[0], where[1], label="CONDITION", alignment_mode="expand")
        if span is None:
            preds.append(Prediction(False))
            continue
        if (span.start_char, span.end_char) != where:
            expanded += 1
        doc.ents = [span]
        doc = context(doc)
        ent = doc.ents[0]
        negation = (
            NEGATED if ent._.is_negated else POSSIBLE if ent._.is_uncertain else AFFIRMED
        )
        temporality = (
            HYPOTHETICAL
            if ent._.is_hypothetical
            else HISTORICAL if ent._.is_historical else RECENT
        )
        experiencer = OTHER if ent._.is_family else PATIENT
        cues = []
        for m in ent._.modifiers:
            a, b = m.modifier_span
            cues.append(f"{m.category.lower()}: {doc[a:b].text.lower()!r}")
        preds.append(Prediction(True, negation, temporality, experiencer, cues))
    return preds, expanded, time.perf_counter() - t0


# --- report -----------------------------------------------------------------


def fmt(x: float, labelled: int) -> str:
    return f"{x:.3f}" if labelled else "–"


def table_row(name: str, system: str, s: Scores) -> str:
    neg = s.negation_labelled
    return (
        f"| {name} | {system} | {fmt(s.precision(), neg)} | {fmt(s.recall(), neg)} "
        f"| {fmt(s.f1(), neg)} | {fmt(s.negation_accuracy(), neg)} "
        f"| {s.tp} / {s.fp} / {s.fn} / {s.tn} "
        f"| {fmt(s.temporality_accuracy(), s.temporality_labelled)} "
        f"| {fmt(s.experiencer_accuracy(), s.experiencer_labelled)} |"
    )


def clip(s: str, n: int = 150) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def disagreements(
    name, rows, ours, theirs, examples: int, other: str = "medspaCy (defaults)"
) -> list[str]:
    """Rows whose negation label (Affirmed/Negated/Possible) differs between
    the two, by which one agrees with the gold label."""
    kinds = {"imrlint right": [], "medspaCy right": [], "both wrong": [], "unlabelled": []}
    for row, a, b in zip(rows, ours, theirs):
        na = a.negation if a.found else AFFIRMED
        nb = b.negation if b.found else AFFIRMED
        if na == nb:
            continue
        if row.negation is None:
            kinds["unlabelled"].append((row, a, b))
        elif na == row.negation:
            kinds["imrlint right"].append((row, a, b))
        elif nb == row.negation:
            kinds["medspaCy right"].append((row, a, b))
        else:
            kinds["both wrong"].append((row, a, b))

    def scored(items):
        # Disagreements that change the scored (negated or not) decision.
        return sum(1 for _, a, b in items if (a.negation == NEGATED) != (b.negation == NEGATED))

    total = sum(len(v) for v in kinds.values())
    out = [
        f"### Negation disagreements: {name}, imrlint vs {other}",
        "",
        f"{total} rows where imrlint and {other} give a different negation label "
        "(Affirmed / Negated / Possible); \"scored\" counts those where one says "
        "Negated and the other does not, which moves P/R/F.",
        "",
        "| kind | rows | of which scored |",
        "|---|---:|---:|",
    ]
    for k, v in kinds.items():
        if k == "unlabelled" and not v:
            continue
        out.append(f"| {k} | {len(v)} | {scored(v)} |")
    out.append("")
    for k, v in kinds.items():
        if not v or examples <= 0:
            continue
        out.append(f"{k}, first {min(examples, len(v))} of {len(v)}:")
        out.append("")
        for row, a, b in v[:examples]:
            out.append(
                f"- line {row.line} (id {row.id}), condition `{clip(row.condition, 60)}`, "
                f"gold {row.negation or '–'}; imrlint {a.negation} "
                f"[{', '.join(a.cues) or 'no cue'}]; medspaCy {b.negation} "
                f"[{', '.join(b.cues) or 'no cue'}]  \n  \"{clip(row.sentence)}\""
            )
        out.append("")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help="NegEx-format annotation files")
    ap.add_argument("--imrlint", default="target/release/imrlint", help="imrlint binary")
    ap.add_argument("--examples", type=int, default=5, help="examples per kind")
    args = ap.parse_args()

    nlp, version = load_medspacy()
    import spacy

    head = [
        "| file | system | negation P | R | F | accuracy | TP / FP / FN / TN | temporality accuracy | experiencer accuracy |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines, notes, details = [], [], []
    for path in args.files:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        rows = parse(text)
        name = os.path.basename(path)
        ours, own, t_ours = run_imrlint(args.imrlint, path, rows)
        theirs, expanded, t_theirs = run_medspacy(nlp, rows)
        pruned, _, _ = run_medspacy(nlp, rows, "pruned")
        s_ours, s_theirs = score(rows, ours), score(rows, theirs)
        lines.append(table_row(name, "imrlint", s_ours))
        lines.append(table_row(name, f"medspaCy {version}", s_theirs))
        lines.append(
            table_row(name, f"medspaCy {version}, prune_on_target_overlap", score(rows, pruned))
        )
        located = [locate(r.sentence, r.condition) is not None for r in rows]
        odd = [r.line for r, l, o in zip(rows, located, ours) if l != o.found]
        if odd:
            notes.append(
                f"- **{name}: this script's locate() and imrlint disagree on whether the "
                f"condition is in its sentence on lines {odd[:10]}**"
            )
        diffs = check_against_own(s_ours, own)
        if diffs:
            notes.append(
                f"- **{name}: this script's score of imrlint's JSON differs from "
                f"imrlint's own table**: {'; '.join(diffs)}"
            )
        else:
            notes.append(
                f"- {name}: this script's score of imrlint's JSON equals imrlint's own "
                f"human table (counts and printed P/R/F/accuracy)."
            )
        notes.append(
            f"- {name}: {s_ours.rows} rows, {s_ours.not_found} conditions not found in "
            f"their sentence (scored Affirmed/Recent/Patient for both); medspaCy target "
            f"widened to token edges in {expanded} rows; time: imrlint {t_ours:.2f} s "
            f"(one process, JSON), medspaCy {t_theirs:.2f} s (in process, pipeline loaded)."
        )
        details += disagreements(name, rows, ours, theirs, args.examples)
        details += disagreements(
            name, rows, ours, pruned, 0, "medspaCy with prune_on_target_overlap"
        )

    print(f"medspaCy {version}, spaCy {spacy.__version__}, Python {sys.version.split()[0]}; "
          f"imrlint: {args.imrlint}")
    print()
    print("\n".join(head + lines))
    print()
    print("\n".join(notes))
    print()
    print("\n".join(details).rstrip())
    return 1 if any(n.startswith("- **") for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
