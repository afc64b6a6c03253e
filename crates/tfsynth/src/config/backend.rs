//! The `backend` table of a stack or environment: local, S3 or Terraform
//! Cloud, where each stack and environment has its own workspace, named by
//! a scheme (`{stack}-{environment}` unless `workspace` gives another) and
//! tagged as `workspace_tags` say.

use crate::core::{Backend, CloudBackend, S3Backend};
use crate::suggest;

fn string(table: &toml::Table, key: &str, kind: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) if s.contains("${") || s.contains("%{") => Err(format!(
            "{kind} backend: {key} holds `${{` or `%{{`; a backend takes no templates, so Terraform would use the text as written (hint: remove the sequence)"
        )),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{kind} backend: {key} must be a string")),
    }
}

fn required(table: &toml::Table, key: &str, kind: &str) -> Result<String, String> {
    string(table, key, kind)?
        .ok_or_else(|| format!("{kind} backend: required field {key} is missing"))
}

fn flag(table: &toml::Table, key: &str, kind: &str, default: bool) -> Result<bool, String> {
    match table.get(key) {
        None => Ok(default),
        Some(toml::Value::Boolean(b)) => Ok(*b),
        Some(_) => Err(format!("{kind} backend: {key} must be true or false")),
    }
}

fn only(table: &toml::Table, allowed: &[&str], kind: &str) -> Result<(), String> {
    match table.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => {
            let hint = suggest::did_you_mean(key, allowed.iter().copied());
            Err(format!("{kind} backend: unknown field {key:?}{hint}"))
        }
        None => Ok(()),
    }
}

/// The workspace of a `cloud` backend that names none: one per stack and
/// environment.
pub const DEFAULT_WORKSPACE: &str = "{stack}-{environment}";

/// The placeholders a cloud workspace name or tag may hold.
const PLACEHOLDERS: &[&str] = &["stack", "environment", "project"];

/// The `{…}` placeholders of a workspace name or tag (`what` says which, for
/// the messages), each checked.
fn placeholders<'t>(template: &'t str, what: &str) -> Result<Vec<(usize, usize, &'t str)>, String> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(open) = template[rest..].find('{').map(|i| rest + i) {
        let close = template[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("cloud backend: {what} {template:?} has a `{{` without `}}`"))?;
        let name = &template[open + 1..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "cloud backend: {what} {template:?}: {{{name}}} is not a placeholder; use {{stack}}, {{environment}} or {{project}}"
            ));
        }
        out.push((open, close + 1, name));
        rest = close + 1;
    }
    Ok(out)
}

/// `template` with `{stack}`, `{environment}` and `{project}` replaced.
fn expand(
    template: &str,
    what: &str,
    stack: &str,
    environment: Option<&str>,
    project: Option<&str>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut at = 0;
    for (start, end, name) in placeholders(template, what)? {
        out.push_str(&template[at..start]);
        let value = match name {
            "stack" => Some(stack),
            "environment" => environment,
            _ => project,
        };
        let value = value.ok_or_else(|| match name {
            "environment" => format!(
                "cloud backend: {what} {template:?} names the environment, and none is selected (hint: --env NAME, or default_environment in the stack's table)"
            ),
            _ => format!(
                "cloud backend: {what} {template:?} names the project, and the backend table sets none (hint: project = \"...\")"
            ),
        })?;
        out.push_str(value);
        at = end;
    }
    out.push_str(&template[at..]);
    Ok(out)
}

/// The workspace name `template` gives stack `stack` in `environment`:
/// `{stack}`, `{environment}` and `{project}` (the backend's Terraform
/// Cloud project) replaced, the result checked against what Terraform
/// Cloud accepts.
pub fn workspace_name(
    template: &str,
    stack: &str,
    environment: Option<&str>,
    project: Option<&str>,
) -> Result<String, String> {
    let out = expand(template, "workspace", stack, environment, project)?;
    accepted(out, "workspace name", 90, &['-', '_'], "-, _")
}

/// A workspace tag of stack `stack` in `environment`, its placeholders
/// replaced as in [`workspace_name`] and the result checked against what
/// Terraform Cloud accepts.
pub fn workspace_tag(
    template: &str,
    stack: &str,
    environment: Option<&str>,
    project: Option<&str>,
) -> Result<String, String> {
    let out = expand(
        template,
        "workspace_tags entry",
        stack,
        environment,
        project,
    )?;
    accepted(out, "workspace tag", 255, &['-', '_', ':'], "-, _, :")
}

/// `out` when it has 1 to `max` characters, each a letter, a digit or one
/// of `extra` (named `listed` in the message).
fn accepted(
    out: String,
    what: &str,
    max: usize,
    extra: &[char],
    listed: &str,
) -> Result<String, String> {
    let fits = !out.is_empty()
        && out.len() <= max
        && out
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c));
    if fits {
        Ok(out)
    } else {
        Err(format!(
            "cloud backend: {what} {out:?} is not one Terraform Cloud accepts: 1 to {max} letters, digits and {listed}"
        ))
    }
}

/// Parses a backend table for `stack` in `environment`: as
/// [`parse_backend`], with the placeholders of a cloud workspace's name
/// and tags replaced.
pub fn parse_backend_for(
    table: &toml::Table,
    stack: &str,
    environment: Option<&str>,
) -> Result<Backend, String> {
    match parse_backend(table)? {
        Backend::Cloud(mut cloud) => {
            let project = cloud.project.as_deref();
            cloud.workspace = workspace_name(&cloud.workspace, stack, environment, project)?;
            cloud.tags = cloud
                .tags
                .iter()
                .map(|tag| workspace_tag(tag, stack, environment, project))
                .collect::<Result<_, _>>()?;
            Ok(Backend::Cloud(cloud))
        }
        other => Ok(other),
    }
}

/// Parses a backend table: `type = "local" | "s3" | "cloud"` and its fields.
pub fn parse_backend(table: &toml::Table) -> Result<Backend, String> {
    let kind = match table.get("type") {
        Some(toml::Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err("backend type must be a string: \"local\", \"s3\" or \"cloud\"".into());
        }
        None => return Err("backend needs a type: \"local\", \"s3\" or \"cloud\"".into()),
    };
    match kind {
        "local" => {
            only(table, &["type", "path"], kind)?;
            Ok(Backend::Local {
                path: string(table, "path", kind)?,
            })
        }
        "s3" => {
            only(
                table,
                &[
                    "type",
                    "bucket",
                    "key",
                    "region",
                    "use_lockfile",
                    "encrypt",
                    "endpoint",
                ],
                kind,
            )?;
            Ok(Backend::S3(S3Backend {
                bucket: required(table, "bucket", kind)?,
                key: required(table, "key", kind)?,
                region: required(table, "region", kind)?,
                use_lockfile: flag(table, "use_lockfile", kind, true)?,
                encrypt: flag(table, "encrypt", kind, true)?,
                endpoint: string(table, "endpoint", kind)?,
            }))
        }
        "cloud" => {
            only(
                table,
                &[
                    "type",
                    "organization",
                    "workspace",
                    "workspace_tags",
                    "project",
                    "hostname",
                ],
                kind,
            )?;
            // One workspace per stack and environment, named by the scheme.
            let workspace =
                string(table, "workspace", kind)?.unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
            placeholders(&workspace, "workspace")?;
            let tags = match table.get("workspace_tags") {
                None => Vec::new(),
                Some(toml::Value::Array(items)) => items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .filter(|s| !s.contains("${") && !s.contains("%{"))
                            .map(str::to_owned)
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or("cloud backend: workspace_tags must be a list of strings without `${` or `%{`")?,
                Some(_) => {
                    return Err("cloud backend: workspace_tags must be a list of strings".into());
                }
            };
            for tag in &tags {
                placeholders(tag, "workspace_tags entry")?;
            }
            Ok(Backend::Cloud(CloudBackend {
                organization: required(table, "organization", kind)?,
                workspace,
                tags,
                project: string(table, "project", kind)?,
                hostname: string(table, "hostname", kind)?,
            }))
        }
        other => {
            let hint = suggest::did_you_mean(other, ["local", "s3", "cloud"]);
            Err(format!(
                "unknown backend type {other:?}{hint}; use \"local\", \"s3\" or \"cloud\""
            ))
        }
    }
}
