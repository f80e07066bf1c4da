//! `heat-sync check TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]... [--format text|json]`.
//!
//! Exit status: 0 clean or warnings only, 1 errors found, 2 usage or I/O errors.
//! Problems go to stderr one per line (text), or to stdout as a JSON list.

use std::path::PathBuf;
use std::process::ExitCode;

use heat_sync::stack::Inputs;

/// The template and what Heat is given with it, shared by `check` and `compile`.
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// The Heat template (YAML or JSON).
    pub template: PathBuf,
    /// An environment file (repeatable, merged in order).
    #[arg(short = 'e', long = "environment", value_name = "ENV")]
    pub environments: Vec<PathBuf>,
    /// A parameter value, as `openstack stack create --parameter` (repeatable).
    #[arg(short = 'P', long = "param", value_name = "K=V")]
    pub params: Vec<String>,
    /// A file known to Heat under NAME (`get_file: NAME`, provider templates).
    #[arg(long = "file", value_name = "NAME=PATH")]
    pub files: Vec<String>,
}

impl TemplateArgs {
    /// Reads every file named into an [`Inputs`]; `Err` is a message for exit status 2.
    pub fn inputs(&self) -> Result<Inputs, String> {
        let read =
            |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
        let mut inputs = Inputs {
            template_name: self.template.display().to_string(),
            template: read(&self.template)?,
            ..Inputs::default()
        };
        for e in &self.environments {
            inputs.environments.push((e.display().to_string(), read(e)?));
        }
        for kv in &self.params {
            let (k, v) =
                kv.split_once('=').ok_or_else(|| format!("--param {kv:?}: expected K=V"))?;
            inputs.params.push((k.to_string(), v.to_string()));
        }
        for kv in &self.files {
            let (k, v) =
                kv.split_once('=').ok_or_else(|| format!("--file {kv:?}: expected NAME=PATH"))?;
            inputs.files.insert(k.to_string(), read(&PathBuf::from(v))?);
        }
        Ok(inputs)
    }
}

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
    let inputs = match args.template.inputs() {
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
