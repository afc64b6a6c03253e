//! `tfsynth validate`: check stacks offline against the provider schema.

use std::io::Write;
use std::path::PathBuf;

use crate::app::{App, AppError};
use crate::validate::{self, Report, Severity};

use super::Cli;

/// Validate stacks offline against the provider schemas.
///
/// Synthesizes the named stacks in memory (default: all) and checks the
/// resulting JSON, exactly what Terraform would read: unknown resource,
/// data source and ephemeral types, attributes and blocks (with a "did you
/// mean"), missing required arguments, type mismatches, computed-only
/// attributes set, wrong block shapes, references to undeclared blocks or to
/// attributes a type does not have, ephemeral values where Terraform
/// forbids them, and provider functions by name and number of arguments.
/// Then the policy rules (for AWS: IAM wildcards, unencrypted S3, RDS and
/// EBS, public databases, security groups open to the world beyond ports 80
/// and 443, launch templates without IMDSv2, buckets without a public access
/// block). A block can waive a rule only with a written reason, which is
/// printed. Needs no terraform and no network. With --file, checks existing
/// Terraform JSON files instead.
///
/// Exit codes: 0 valid; 2 when Terraform would reject something; 3 when only
/// policy rules are broken (with --policy deny, the default). --policy warn
/// prints policy findings and exits 0; --policy off skips the rules.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stacks to validate (default: all).
    #[arg(value_name = "STACK", conflicts_with = "files")]
    pub stacks: Vec<String>,

    /// Validate this Terraform JSON file instead of a stack (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,

    /// What policy findings do: fail with exit code 3 (deny), print only (warn), or skip the rules (off).
    #[arg(long, value_enum, default_value_t = PolicyMode::Deny)]
    pub policy: PolicyMode,
}

/// What policy findings do to `validate`'s result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyMode {
    /// Print them and exit with 3 when there are no errors.
    Deny,
    /// Print them and exit 0 unless there are errors.
    Warn,
    /// Do not run the policy rules.
    Off,
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
    let schemas = app.schemas();
    let policies = match args.policy {
        PolicyMode::Off => &[][..],
        _ => app.policies(),
    };
    if args.files.is_empty() {
        let settings = cli.settings(app)?;
        for synthesized in app.synth(&args.stacks, &settings)? {
            reports.push((
                format!("stack {}", synthesized.stack),
                validate::validate(&synthesized.json, &schemas, policies),
            ));
        }
    } else {
        for path in &args.files {
            let text = crate::fsio::read_bounded(path).map_err(|e| {
                vec![AppError::Input {
                    path: path.clone(),
                    reason: e.to_string(),
                }]
            })?;
            reports.push((
                path.display().to_string(),
                validate::validate(&text, &schemas, policies),
            ));
        }
    }
    let (mut errors, mut policy) = (0, 0);
    for (subject, report) in &reports {
        for finding in &report.findings {
            match finding.severity {
                Severity::Error => {
                    errors += 1;
                    let _ = writeln!(err, "error: {subject}: {finding}");
                }
                _ => {
                    policy += 1;
                    let _ = writeln!(err, "policy: {subject}: {finding}");
                }
            }
        }
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
    if errors > 0 {
        return Err(vec![AppError::Findings { count: errors }]);
    }
    if policy > 0 && args.policy == PolicyMode::Deny {
        return Err(vec![AppError::PolicyFindings { count: policy }]);
    }
    Ok(())
}
