//! `heat-sync graph TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]...
//! [--format json|dot|svg]`: Heat's verdict and dependency graph of a template.
//!
//! Exit status: 0 when Heat accepts the template, 1 when `errors` is non-empty, 2 for
//! usage or I/O errors.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use heat_sync::stack::{self, Inputs};

/// The template inputs every template-reading command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct TemplateArgs {
    /// The Heat template (YAML or JSON).
    pub template: PathBuf,
    /// An environment file, merged in order (repeatable).
    #[arg(short = 'e', long = "environment", value_name = "ENV")]
    pub environments: Vec<PathBuf>,
    /// A stack parameter `K=V` (repeatable); an environment's `parameters` win.
    #[arg(short = 'P', long = "param", value_name = "K=V")]
    pub params: Vec<String>,
    /// A file known to Heat as NAME (`get_file`, provider templates) (repeatable).
    #[arg(long = "file", value_name = "NAME=PATH")]
    pub files: Vec<String>,
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

impl TemplateArgs {
    /// Reads every file named by the arguments into [`Inputs`].
    pub fn to_inputs(&self) -> Result<Inputs, String> {
        let mut inputs = Inputs {
            template_name: self.template.display().to_string(),
            template: read(&self.template)?,
            ..Inputs::default()
        };
        for e in &self.environments {
            inputs.environments.push((e.display().to_string(), read(e)?));
        }
        for p in &self.params {
            let (k, v) =
                p.split_once('=').ok_or_else(|| format!("--param expects K=V, got {p:?}"))?;
            inputs.params.push((k.to_string(), v.to_string()));
        }
        let mut files = BTreeMap::new();
        for f in &self.files {
            let (name, path) =
                f.split_once('=').ok_or_else(|| format!("--file expects NAME=PATH, got {f:?}"))?;
            files.insert(name.to_string(), read(std::path::Path::new(path))?);
        }
        inputs.files = files;
        Ok(inputs)
    }
}

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The shape of shared/corpus/expected.
    Json,
    /// Graphviz dot.
    Dot,
    /// SVG.
    Svg,
}

/// Arguments of `heat-sync graph`.
#[derive(clap::Args)]
pub struct Args {
    /// Template, environments, parameters, files.
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Show the role-level data-flow graph of the heat_sync metadata instead.
    #[arg(long)]
    pub dataflow: bool,
}

/// Runs `heat-sync graph`.
pub fn run(args: Args) -> ExitCode {
    let inputs = match args.template.to_inputs() {
        Ok(i) => i,
        Err(e) => return super::usage_error(e),
    };
    if args.dataflow {
        return dataflow(&inputs, args.format);
    }
    let analysis = stack::analyse(&inputs);
    let text = match args.format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&analysis.to_json()).expect("JSON values serialize");
            s.push('\n');
            s
        }
        Format::Dot | Format::Svg => match &analysis.graph {
            Some(g) if args.format == Format::Dot => heat_sync::graph::render::to_dot(g),
            Some(g) => heat_sync::graph::render::to_svg(g),
            None => {
                report(&inputs, &analysis);
                return ExitCode::from(1);
            }
        },
    };
    print!("{text}");
    report(&inputs, &analysis);
    if analysis.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Heat's messages on stderr, each named by the template (Heat's own wording in the JSON
/// answer does not always name it).
fn report(inputs: &Inputs, analysis: &stack::Analysis) {
    for e in analysis.shown_errors() {
        eprintln!("heat-sync: {}: {e}", inputs.template_name);
    }
}

/// `graph --dataflow`: the role-level data-flow graph (`{roles, edges, inputs}` as JSON,
/// or drawn); exit 1 when `check` finds errors in it (they go to stderr).
fn dataflow(inputs: &Inputs, format: Format) -> ExitCode {
    let analysis = match heat_sync::dataflow::analyse(inputs) {
        Ok(a) => a,
        Err(e) => return super::usage_error(e),
    };
    let graph = heat_sync::dataflow::graph::flow_graph(&analysis);
    match format {
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&graph).expect("the graph serializes"))
        }
        Format::Dot => print!("{}", graph.diagram().to_dot()),
        Format::Svg => print!("{}", graph.diagram().to_svg()),
    }
    for p in &analysis.problems {
        eprintln!("{p}");
    }
    if analysis.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
