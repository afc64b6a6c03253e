//! `tfsynth validate`: check stacks offline against the provider schema.

use std::io::Write;
use std::path::PathBuf;

use crate::app::{App, AppError};
use crate::validate::{self, Report};

use super::Cli;

/// Validate stacks offline against the AWS provider schema.
///
/// Synthesizes the named stacks in memory (default: all) and checks the
/// resulting JSON, exactly what Terraform would read: unknown resource types,
/// attributes and blocks (with a "did you mean"), missing required
/// arguments, type mismatches, computed-only attributes set, wrong block
/// shapes, and references to undeclared blocks or to attributes a type does
/// not have; and the security policy rules (IAM wildcards, unencrypted S3,
/// RDS and EBS, public databases, security groups open to the world beyond
/// ports 80 and 443, launch templates without IMDSv2, buckets without a
/// public access block). A block can waive a rule only with a written
/// reason, which is printed. Needs no terraform and no network. With --file, checks existing
/// Terraform JSON files instead. Exits with 2 when anything is found.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  tfsynth validate\n  tfsynth validate demo\n  tfsynth validate --file out/demo/main.tf.json"
)]
pub struct Args {
    /// Stacks to validate (default: all).
    #[arg(value_name = "STACK", conflicts_with = "files")]
    pub stacks: Vec<String>,

    /// Validate this Terraform JSON file instead of a stack (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
}

/// Runs `validate`.
pub fn run(
    app: &App,
    cli: &Cli,
    args: &Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Vec<AppError>> {
    let mut reports: Vec<(String, Report)> = Vec::new();
    if args.files.is_empty() {
        let settings = cli.settings(app)?;
        for synthesized in app.synth(&args.stacks, &settings)? {
            reports.push((
                format!("stack {}", synthesized.stack),
                validate::validate(&synthesized.json),
            ));
        }
    } else {
        for path in &args.files {
            let text = std::fs::read_to_string(path).map_err(|e| {
                vec![AppError::Input {
                    path: path.clone(),
                    reason: e.to_string(),
                }]
            })?;
            reports.push((path.display().to_string(), validate::validate(&text)));
        }
    }
    let mut problems = 0;
    for (subject, report) in &reports {
        for finding in &report.findings {
            let _ = writeln!(err, "error: {subject}: {finding}");
        }
        problems += report.findings.len();
        if report.findings.is_empty() {
            let _ = writeln!(out, "{subject}: valid");
        }
        for (address, rule, reason) in &report.waived {
            let _ = writeln!(
                out,
                "  waived: {subject}: {address}: policy rule {rule}: {reason}"
            );
        }
        for unchecked in &report.unchecked {
            let _ = writeln!(out, "  note: {subject}: {unchecked}: not checked");
        }
    }
    if problems > 0 {
        return Err(vec![AppError::Findings { count: problems }]);
    }
    Ok(())
}
