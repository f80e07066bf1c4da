//! `heat-sync check TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]... [--format text|json]`.
//!
//! Exit status: 0 clean or warnings only, 1 errors found, 2 usage or I/O errors.
//! Problems go to stderr one per line (text), or to stdout as a JSON list.

use std::process::ExitCode;

use super::graph::TemplateArgs;

/// Output formats of `check`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// One problem per line on stderr.
    #[default]
    Text,
    /// A JSON list of `{severity, code, place, message}` on stdout.
    Json,
}

/// Arguments of `heat-sync check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    template: TemplateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `heat-sync check`.
pub fn run(args: Args) -> ExitCode {
    let inputs = match args.template.to_inputs() {
        Ok(i) => i,
        Err(e) => return super::usage_error(e),
    };
    let problems = match heat_sync::dataflow::check(&inputs) {
        Ok(p) => p,
        Err(e) => return super::usage_error(e),
    };
    match args.format {
        Format::Text => {
            for p in &problems {
                eprintln!("{p}");
            }
        }
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&problems).expect("problems serialize"));
        }
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    if errors > 0 {
        if args.format == Format::Text {
            eprintln!(
                "{}: {errors} error(s), {} warning(s)",
                inputs.template_name,
                problems.len() - errors
            );
        }
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
