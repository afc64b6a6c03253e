//! `tfsynth graph`: the dependency graph, waves, critical path and estimates.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::app::{App, AppError};
use crate::graph::{self, Durations, Graph, GraphError};

use super::Cli;

/// Output format of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Waves, critical path, explicit dependencies and estimates.
    Text,
    /// Graphviz DOT, waves left to right, critical path in red.
    Dot,
    /// Nodes, edges, waves and estimates for tools.
    Json,
    /// An SVG picture, drawn by Graphviz's `dot`.
    Svg,
}

/// Show the dependency graph Terraform will use, and how long applying takes.
///
/// Reads the synthesized JSON, exactly what Terraform reads: edges from
/// references (through locals) and from explicit depends_on, with the reason
/// given where each was declared. Prints the waves of blocks that can be
/// created together, the critical path, and an apply-time estimate for the
/// critical path beside terraform's default parallelism of 10 (simulated)
/// and one-at-a-time creation. Creation times per type come from a built-in
/// table; --durations FILE overrides any of them (`aws_db_instance = 900`).
///
/// With --stacks, the graph of the application's stacks instead: which
/// stack reads which other's outputs, in deployment order.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stack.
    #[arg(
        value_name = "STACK",
        required_unless_present = "stacks",
        conflicts_with = "stacks"
    )]
    pub stack: Option<String>,
    /// Draw the stacks and the outputs they read of each other.
    #[arg(long)]
    pub stacks: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// A TOML file of `type = seconds` creation times overriding the built-in table.
    #[arg(long, value_name = "FILE")]
    pub durations: Option<PathBuf>,
}

fn error(stack: Option<&str>, source: GraphError) -> Vec<AppError> {
    vec![AppError::Graph {
        stack: stack.map(str::to_owned),
        source,
    }]
}

/// Runs `graph`.
pub fn run(app: &App, cli: &Cli, args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    let table = Durations::from_table(app.duration_table());
    let durations = match &args.durations {
        Some(path) => table.with_overrides(path).map_err(|e| error(None, e))?,
        None => table,
    };
    let settings = cli.settings(app)?;
    let Some(name) = &args.stack else {
        return stacks(app, &settings, args.format, out);
    };
    let synthesized = app.synth(std::slice::from_ref(name), &settings)?;
    let stack = &synthesized[0];
    let g = Graph::from_json(&stack.json).map_err(|e| error(Some(&stack.stack), e))?;
    let render =
        |result: Result<String, GraphError>| result.map_err(|e| error(Some(&stack.stack), e));
    let text = match args.format {
        Format::Text => render(graph::text(&stack.stack, &g, &durations))?,
        Format::Dot => render(graph::dot(&stack.stack, &g, &durations))?,
        Format::Json => render(graph::json(&stack.stack, &g, &durations))?,
        Format::Svg => svg(
            &render(graph::dot(&stack.stack, &g, &durations))?,
            &app.env_prefix(),
        )?,
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

/// `graph --stacks`: the stacks in deployment order with what each reads.
fn stacks(
    app: &App,
    settings: &crate::app::Settings,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), Vec<AppError>> {
    app.check().map_err(|e| vec![e])?;
    let deps: indexmap::IndexMap<String, Vec<String>> =
        app.stack_dependencies(settings).into_iter().collect();
    if let Some(cycle) = crate::stacks::find_cycle(&deps) {
        return Err(vec![AppError::Stacks(Box::new(
            crate::stacks::StacksError::Cycle { cycle },
        ))]);
    }
    let order = crate::stacks::deploy_order(&deps);
    let text = match format {
        Format::Text => {
            let width = order.iter().map(String::len).max().unwrap_or(0);
            let mut text = format!("stacks of {}, in deployment order:\n", app.name());
            for (i, name) in order.iter().enumerate() {
                let reads = &deps[name];
                let line = if reads.is_empty() {
                    format!("  {}. {name}\n", i + 1)
                } else {
                    format!("  {}. {name:width$}  reads {}\n", i + 1, reads.join(", "))
                };
                text.push_str(&line);
            }
            text
        }
        Format::Dot | Format::Svg => {
            let mut dot = format!(
                "digraph {:?} {{\n  rankdir=LR;\n  node [shape=box];\n",
                app.name()
            );
            for name in &order {
                dot.push_str(&format!("  {name:?};\n"));
            }
            for name in &order {
                for producer in &deps[name] {
                    dot.push_str(&format!("  {producer:?} -> {name:?};\n"));
                }
            }
            dot.push_str("}\n");
            if format == Format::Svg {
                svg(&dot, &app.env_prefix())?
            } else {
                dot
            }
        }
        Format::Json => {
            let stacks: Vec<serde_json::Value> = order
                .iter()
                .map(|name| serde_json::json!({"stack": name, "reads": deps[name]}))
                .collect();
            format!("{:#}\n", serde_json::json!({"stacks": stacks}))
        }
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

/// Draws DOT as SVG with Graphviz: `dot` on PATH, or `<PREFIX>_DOT`.
fn svg(dot: &str, prefix: &str) -> Result<String, Vec<AppError>> {
    let missing = || error(None, GraphError::DotMissing);
    let mut child =
        Command::new(std::env::var_os(format!("{prefix}_DOT")).unwrap_or_else(|| "dot".into()))
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|_| missing())?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(dot.as_bytes())
        .map_err(|e| error(None, GraphError::Dot(format!("cannot feed it: {e}"))))?;
    let output = child
        .wait_with_output()
        .map_err(|e| error(None, GraphError::Dot(e.to_string())))?;
    if !output.status.success() {
        return Err(error(
            None,
            GraphError::Dot(String::from_utf8_lossy(&output.stderr).trim().to_owned()),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
