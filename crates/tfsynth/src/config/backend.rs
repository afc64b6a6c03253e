//! The `backend` table of a stack or environment: local, S3 or Terraform Cloud.

use crate::core::{Backend, CloudBackend, S3Backend, Workspaces};
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
            let hint = suggest::closest(key, allowed.iter().copied())
                .map(|s| format!(" (did you mean {s:?}?)"))
                .unwrap_or_default();
            Err(format!("{kind} backend: unknown field {key:?}{hint}"))
        }
        None => Ok(()),
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
                &["type", "bucket", "key", "region", "use_lockfile", "encrypt"],
                kind,
            )?;
            Ok(Backend::S3(S3Backend {
                bucket: required(table, "bucket", kind)?,
                key: required(table, "key", kind)?,
                region: required(table, "region", kind)?,
                use_lockfile: flag(table, "use_lockfile", kind, true)?,
                encrypt: flag(table, "encrypt", kind, true)?,
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
            let name = string(table, "workspace", kind)?;
            let tags = match table.get("workspace_tags") {
                None => None,
                Some(toml::Value::Array(items)) => Some(
                    items
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .filter(|s| !s.contains("${") && !s.contains("%{"))
                                .map(str::to_owned)
                        })
                        .collect::<Option<Vec<_>>>()
                        .ok_or("cloud backend: workspace_tags must be a list of strings without `${` or `%{`")?,
                ),
                Some(_) => {
                    return Err("cloud backend: workspace_tags must be a list of strings".into());
                }
            };
            let workspaces = match (name, tags) {
                (Some(name), None) => Workspaces::Name(name),
                (None, Some(tags)) => Workspaces::Tags(tags),
                (Some(_), Some(_)) => {
                    return Err("cloud backend: set workspace or workspace_tags, not both".into());
                }
                (None, None) => {
                    return Err(
                        "cloud backend: required field workspace (or workspace_tags) is missing"
                            .into(),
                    );
                }
            };
            Ok(Backend::Cloud(CloudBackend {
                organization: required(table, "organization", kind)?,
                workspaces,
                project: string(table, "project", kind)?,
                hostname: string(table, "hostname", kind)?,
            }))
        }
        other => {
            let hint = suggest::closest(other, ["local", "s3", "cloud"])
                .map(|s| format!(" (did you mean {s:?}?)"))
                .unwrap_or_default();
            Err(format!(
                "unknown backend type {other:?}{hint}; use \"local\", \"s3\" or \"cloud\""
            ))
        }
    }
}
