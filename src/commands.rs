//! The `check`, `rules`, `explain` and `facts` commands: wire reading, parsing, the
//! rulebook, the engine and the renderers together, and choose exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::batch::Batch;
use crate::cli::{
    CheckArgs, CheckFormat, ConfigArgs, FilterArgs, MinSeverity, ParseFormat, RuleArgs,
};
use crate::engine::Engine;
use crate::render::diagnostic::{Style, render};
use crate::render::sink::{self, Sink};
use crate::render::{self, junit, sarif};
use crate::rulebook::{Rule, Rulebook, Severity, files};
use crate::source;

/// Loads the rulebook the options ask for; on failure prints every problem and returns None.
pub(crate) fn load_rulebook(args: &RuleArgs) -> Option<Rulebook> {
    let mut sources = match &args.rules {
        Some(dir) => match files::read_dir(dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error[rulebook/io]: {e}");
                return None;
            }
        },
        None => files::embedded(),
    };
    for dir in &args.extend_rules {
        match files::read_dir(dir) {
            Ok(s) => sources.extend(s),
            Err(e) => {
                eprintln!("error[rulebook/io]: {e}");
                return None;
            }
        }
    }
    match Rulebook::from_sources(sources) {
        Ok(b) => Some(b),
        Err(reports) => {
            let style = Style::stderr();
            for r in &reports {
                eprint!("{}", render(r, style));
            }
            eprintln!(
                "imrlint: the rulebook has {} error{}; nothing was checked",
                reports.len(),
                if reports.len() == 1 { "" } else { "s" }
            );
            None
        }
    }
}

/// True when `pattern` (a code, a code prefix or a kind) names `rule`.
pub fn names_rule(pattern: &str, rule: &Rule) -> bool {
    crate::suppress::names_rule(pattern, rule)
}

/// The rules `select` and `ignore` keep.
pub(crate) fn selection<'a>(
    select: &'a [String],
    ignore: &'a [String],
) -> impl Fn(&Rule) -> bool + Sync + 'a {
    |r: &Rule| {
        (select.is_empty() || select.iter().any(|p| names_rule(p, r)))
            && !ignore.iter().any(|p| names_rule(p, r))
    }
}

pub(crate) fn threshold(m: MinSeverity) -> Severity {
    match m {
        MinSeverity::Info => Severity::Info,
        MinSeverity::Warning => Severity::Warning,
        MinSeverity::Error => Severity::Error,
    }
}

/// `check` and `audit`: the batch pipeline into the sink of the chosen format.
pub fn check(args: &CheckArgs, audit: bool) -> ExitCode {
    // Configuration file, command line and defaults; severity overrides are
    // applied to the rulebook here, so findings carry them.
    let Some(settings) =
        crate::config_cmd::settings(&args.config, &args.filter, &args.rules, args.format)
    else {
        return ExitCode::from(2);
    };
    let Some(book) = crate::config_cmd::rulebook(&settings) else {
        return ExitCode::from(2);
    };
    let engine = Engine::new(&book);
    let selected = selection(&settings.select.value, &settings.ignore.value);
    let loaded = match args.suppress.load() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // A sample is drawn from the whole list; otherwise inputs stream from the walk.
    let sampled = args
        .sample
        .map(|n| crate::batch::sample(source::expand(&args.paths), n, args.seed));
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("imrlint: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    let style = Style::for_stream(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let mut sink: Box<dyn Sink> = match settings.format.value {
        CheckFormat::Human => Box::new(sink::Human { out, style }),
        CheckFormat::Concise => Box::new(sink::Concise { out }),
        CheckFormat::Html => Box::new(crate::render::html::Html::new(out, audit)),
        CheckFormat::Json => Box::new(sink::Json {
            out,
            started: false,
        }),
        CheckFormat::Jsonl => Box::new(sink::JsonLines { out }),
        CheckFormat::Github => Box::new(sink::Github { out }),
        CheckFormat::Sarif => Box::new(sarif::Sarif::new(
            out,
            book.rules
                .iter()
                .map(|(_, r)| r)
                .filter(|r| selected(r))
                .map(sarif::RuleInfo::of)
                .collect(),
        )),
        CheckFormat::Junit => Box::new(junit::Junit::new(out)),
    };
    let shown = !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    // The bar's length costs a second walk (names only), only when it is shown.
    let total = match (&sampled, shown) {
        (Some(list), _) => list.len(),
        (None, true) => source::Inputs::new(&args.paths).count(),
        (None, false) => 0,
    };
    let bar = indicatif::ProgressBar::new(total as u64);
    if !shown {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} letters {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    let batch = Batch {
        engine: &engine,
        selected: &selected,
        min: threshold(settings.min_severity.value),
        audit,
        statistics: args.statistics,
    };
    let mut inputs: Box<dyn Iterator<Item = source::Input>> = match sampled {
        Some(list) => Box::new(list.into_iter()),
        None => Box::new(source::Inputs::new(&args.paths)),
    };
    let extras = crate::batch::Extras {
        sidecar: loaded.sidecar.as_ref(),
        baseline: loaded.baseline.as_ref(),
        record: args.suppress.write_baseline.is_some(),
    };
    let result = batch.run_with(&mut inputs, &pool, sink.as_mut(), &|| bar.inc(1), &extras);
    bar.finish_and_clear();
    let result = result.map(|out| {
        let summary = (out.summary.failed, out.summary.findings);
        (summary, args.suppress.finish(out))
    });
    match result {
        Err(e) => {
            // A closed pipe (`| head`) is not an error worth a message.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("imrlint: cannot write output: {e}");
            }
            ExitCode::from(2)
        }
        Ok(((failed, _), written)) if failed > 0 || !written => ExitCode::from(2),
        Ok(((_, findings), _)) if findings > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
    }
}

/// The rulebook as `check` would load it: the configuration's rule folders
/// and `[severity]` table, the command line's folders over them.
fn configured_rulebook(args: &RuleArgs, config: &ConfigArgs) -> Option<Rulebook> {
    let settings = crate::config_cmd::settings(config, &FilterArgs::default(), args, None)?;
    crate::config_cmd::rulebook(&settings)
}

/// What `imrlint rules` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Rules,
    Phrases,
    Patterns,
}

pub fn rules(listing: Listing, args: &RuleArgs, config: &ConfigArgs) -> ExitCode {
    let Some(book) = configured_rulebook(args, config) else {
        return ExitCode::from(2);
    };
    match listing {
        Listing::Rules => {}
        Listing::Phrases => {
            print!("{}", lines(book.phrases()));
            return ExitCode::SUCCESS;
        }
        Listing::Patterns => {
            let escaped = book.phrases().into_iter().map(regex::escape);
            let patterns = book.patterns().into_iter().map(str::to_owned);
            print!("{}", lines(escaped.chain(patterns)));
            return ExitCode::SUCCESS;
        }
    }
    let mut rules: Vec<&Rule> = book.rules.iter().map(|(_, r)| r).collect();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    for r in rules {
        println!("{:<48} {:<8} {}", r.code, r.severity.name(), r.message);
    }
    ExitCode::SUCCESS
}

/// One item a line, for `rg -f` and the like.
fn lines<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(item.as_ref());
        out.push('\n');
    }
    out
}

pub fn explain(code: &str, args: &RuleArgs, config: &ConfigArgs) -> ExitCode {
    let Some(book) = configured_rulebook(args, config) else {
        return ExitCode::from(2);
    };
    let Some(rule) = book.rule(code) else {
        eprintln!("error: no rule '{code}'; `imrlint rules` lists them");
        return ExitCode::from(2);
    };
    let mut o = String::new();
    let sev = rule.severity.name();
    o.push_str(&format!(
        "{}  ({}, {sev})\n\n{}\n\n{}\n",
        rule.code,
        rule.kind.name(),
        rule.message,
        rule.help
    ));
    if !rule.sections.is_empty() {
        o.push_str("\nApplies to:\n");
        for s in &rule.sections {
            if let Some((g, sec)) = book.section(s) {
                o.push_str(&format!("  - {} — {} ({s})\n", g.title, sec.title));
            }
        }
    }
    if !rule.facts.is_empty() {
        o.push_str("\nGuideline facts it rests on:\n");
        for f in &rule.facts {
            if let Some(fact) = book.fact(f) {
                o.push_str(&format!(
                    "  - {}\n    source: {}; verification: {}\n",
                    fact.text,
                    fact.source,
                    fact.verified.describe()
                ));
            }
        }
    }
    o.push_str(&format!(
        "\nCheck: {}\nExamples that trigger it: {}\nExamples that must not: {}\n",
        rule.check,
        rule.fixtures.triggers.join(", "),
        rule.fixtures.passes.join(", ")
    ));
    print!("{o}");
    ExitCode::SUCCESS
}

/// `imrlint facts`: each letter's concept mentions as the engine reads them.
pub fn facts(
    paths: &[PathBuf],
    format: ParseFormat,
    args: &RuleArgs,
    config: &ConfigArgs,
) -> ExitCode {
    let Some(book) = configured_rulebook(args, config) else {
        return ExitCode::from(2);
    };
    let engine = Engine::new(&book);
    let inputs = source::expand(paths);
    let single = inputs.len() == 1;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    for input in &inputs {
        let outcome = render::parse::Outcome::run(input);
        let (Some(src), Ok(letter)) = (&outcome.source, &outcome.result) else {
            failed += 1;
            let _ = out.flush();
            if let Err(e) = &outcome.result {
                eprintln!("error[{}]: {}: {}", e.code(), outcome.path, e.message());
            }
            continue;
        };
        let facts = engine.facts(letter, &src.text);
        let listing = render::facts::Listing {
            path: &outcome.path,
            book: &book,
            letter,
            text: &src.text,
            facts: &facts,
        };
        let written = match format {
            ParseFormat::Json => listing.write_json(&mut out, single),
            ParseFormat::Text => listing.write_text(&mut out),
        };
        if let Err(e) = written {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("imrlint: cannot write output: {e}");
            }
            return ExitCode::from(2);
        }
    }
    let _ = out.flush();
    if failed > 0 {
        eprintln!(
            "imrlint: {} inputs, {} read, {failed} failed",
            inputs.len(),
            inputs.len() - failed
        );
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
