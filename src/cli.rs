//! Command-line interface: subcommands, options, exit codes.
//!
//! Exit codes: 0 all inputs read and parsed; 2 some input could not be read
//! or parsed (the others still ran), or bad usage.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::render;
use crate::source;

#[derive(Debug, Parser)]
#[command(
    name = "imrlint",
    version,
    about = "Checks California workers' compensation IMR final determination letters against the guidelines they cite",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse letters and print the letter model (layout, header, items, citations, spans).
    Parse {
        /// Letters: text, Markdown or PDF files, directories (walked recursively), or `-` for standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format. `json`: one object for one file, one object per line for several.
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
    /// Check letters against the rulebook: decisions that contradict their rationale or the guideline they cite.
    Check {
        #[command(flatten)]
        args: CheckArgs,
    },
    /// Audit a batch of letters: every check, plus decisions inconsistent across letters and summary tables.
    Audit {
        #[command(flatten)]
        args: CheckArgs,
    },
    /// List the rules of the rulebook.
    Rules {
        /// Print instead the fixed phrases the rulebook finds in letters, one a line: every plain
        /// concept term and every service name and synonym (matched case-insensitively as whole words).
        #[arg(long, conflicts_with = "patterns")]
        phrases: bool,
        /// Print instead every pattern the rulebook matches, one a line, as regexes: the fixed
        /// phrases (escaped), the regex concept terms and the `does_not_say` patterns.
        #[arg(long)]
        patterns: bool,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Explain a rule: what it checks, the guideline facts and sources it rests on, its examples.
    Explain {
        /// A rule code, e.g. `criteria/nmes-without-stroke`.
        code: String,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// List the clinical facts the checks see in each letter: concepts of the case summary and each rationale, with their assertion (affirmed, negated, possible, hypothetical, historical, other person) and the cue that decided it.
    Facts {
        /// Letters: text, Markdown or PDF files, directories (walked recursively), or `-` for standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format. `json`: one object for one file, one object per line for several.
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print the JSON Schema of rule files (`rules/rulebook.schema.json`), for editors and validators.
    Schema,
    /// Language server (LSP over standard input/output): diagnostics for open letters as you type.
    Lsp {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        config: ConfigArgs,
        /// Suppressions for letters that cannot carry an `imrlint: allow` line: the TOML sidecar `check --suppressions` reads, keyed by case number or file name.
        #[arg(long, value_name = "FILE")]
        suppressions: Option<PathBuf>,
        /// Leave out findings recorded in this baseline (written by `check --write-baseline`), as `check --baseline` does.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
    },
    /// Show the configuration in effect for `check`, `audit` and `lsp`: each setting, its value and where it came from (default, a line of imrlint.toml, the command line).
    Config {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        config: ConfigArgs,
        /// Output format: a table, or `{"file", "settings", "severity"}`.
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
    /// Assess conditions in NegEx-format annotated sentences: negation, temporality, experiencer (and score them against the file's labels).
    Context {
        /// Tab-separated file, one header row: id, condition, sentence[, negation, temporality, experiencer].
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ContextFormat::Text)]
        format: ContextFormat,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Letters: files, directories (recursively), or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format [default: human, or the configuration's `format`].
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Worker threads (default: one per core). Output is the same for any count.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar (it is shown only when standard error is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    /// Check a reproducible random sample of N of the letters given.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of `--sample`.
    #[arg(long, value_name = "S", default_value_t = 0, requires = "sample")]
    pub seed: u64,
    /// Print the number of findings per code after the findings.
    #[arg(long)]
    pub statistics: bool,
    #[command(flatten)]
    pub suppress: crate::suppress::SuppressArgs,
}

/// Which rules run and which findings are reported (`check`, `audit`, `lsp`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only these rules: codes, code prefixes or kinds, comma-separated (e.g. `citation,conclusion/`).
    /// Replaces the configuration's `select`; `--select=` selects every rule.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Skip these rules: codes, code prefixes or kinds. Replaces the configuration's `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Option<Vec<String>>,
    /// Report only findings at or above this severity (and exit 1 only for them) [default: info, or the configuration's `min-severity`].
    #[arg(long, value_enum)]
    pub min_severity: Option<MinSeverity>,
}

/// Which configuration file applies (`check`, `audit`, `lsp`, `config`, and the
/// rulebook of `rules`, `explain` and `facts`).
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Read settings from FILE instead of the imrlint.toml found from the current directory upward.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file: command-line flags and built-in defaults only.
    #[arg(long, visible_alias = "no-config")]
    pub isolated: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Use the rule files (*.yaml) in DIR instead of the built-in rulebook (replaces the configuration's `rules`).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Add the rule files in DIR to the rulebook (an organisation's own rules). Repeatable; replaces the configuration's `extend-rules`.
    #[arg(long, value_name = "DIR")]
    pub extend_rules: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// miette reports (graphical on a terminal, narratable otherwise or with NO_COLOR).
    Human,
    /// `{"files": [...], "summary": {...}}`, written as letters are checked.
    Json,
    /// One JSON object per finding (or failed file), then one for the summary.
    Jsonl,
    /// `path:line:col: severity[code] message`
    Concise,
    /// One self-contained HTML page: summary, charts, sortable findings, highlighted letters.
    Html,
    /// GitHub Actions workflow commands (annotations on the letter's lines).
    Github,
    /// SARIF 2.1.0 log (code scanning, SARIF viewers); unreadable inputs are tool notifications.
    Sarif,
    /// JUnit XML: a test suite per letter, a failing test case per finding.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ContextFormat {
    /// One line per condition, then the scores when the file carries labels.
    Text,
    /// `[{"id", "condition", "negation", "temporality", "experiencer", "found"}]`
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    Text,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { paths, format } => parse_command(&paths, format),
        Command::Check { args } => crate::commands::check(&args, false),
        Command::Audit { args } => crate::commands::check(&args, true),
        Command::Rules {
            phrases,
            patterns,
            rules,
            config,
        } => {
            let listing = match (phrases, patterns) {
                (true, _) => crate::commands::Listing::Phrases,
                (_, true) => crate::commands::Listing::Patterns,
                _ => crate::commands::Listing::Rules,
            };
            crate::commands::rules(listing, &rules, &config)
        }
        Command::Explain {
            code,
            rules,
            config,
        } => crate::commands::explain(&code, &rules, &config),
        Command::Context { file, format } => crate::context_cmd::context(&file, format),
        Command::Facts {
            paths,
            format,
            rules,
            config,
        } => crate::commands::facts(&paths, format, &rules, &config),
        Command::Lsp {
            filter,
            rules,
            config,
            suppressions,
            baseline,
        } => crate::lsp::run(
            &config,
            &filter,
            &rules,
            suppressions.as_deref(),
            baseline.as_deref(),
        ),
        Command::Config {
            filter,
            rules,
            config,
            format,
        } => crate::config_cmd::config(&config, &filter, &rules, format),
        Command::Schema => {
            print!("{}", crate::rulebook::json_schema());
            ExitCode::SUCCESS
        }
    }
}

fn parse_command(paths: &[PathBuf], format: ParseFormat) -> ExitCode {
    let inputs = source::expand(paths);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    let single = inputs.len() == 1;
    for input in &inputs {
        let outcome = render::parse::Outcome::run(input);
        if outcome.failed() {
            failed += 1;
            if format == ParseFormat::Text
                && let Some(report) = render::parse::failure_report(&outcome)
            {
                let _ = out.flush();
                eprint!("{report}");
            }
        }
        let written = match format {
            ParseFormat::Json => render::parse::write_json(&mut out, &outcome, single),
            ParseFormat::Text => render::parse::write_text(&mut out, &outcome),
        };
        if let Err(e) = written {
            // A closed pipe (`| head`) is not an error worth a message.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("imrlint: cannot write output: {e}");
            }
            return ExitCode::from(2);
        }
    }
    let _ = out.flush();
    if format == ParseFormat::Text && inputs.len() > 1 {
        eprintln!(
            "imrlint: {} inputs, {} parsed, {} failed",
            inputs.len(),
            inputs.len() - failed,
            failed
        );
    }
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
