//! `tfsynth get`: typed bindings for any provider, the way `cdktf get` makes
//! them. Terraform runs once, in a scratch folder, to install the providers
//! (from the plugin directory when one is configured) and print their
//! schemas; each provider then becomes a crate of its own in the project,
//! of the same shape as `tfsynth-aws`: `provider.toml`, `schema.jsonl`,
//! `Cargo.toml` and `src/`, regenerated in place on the next `get`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Arg, ArgAction, ArgMatches};
use tfsynth::App;
use tfsynth::app::AppError;
use tfsynth::cli::Cli;
use tfsynth_codegen::{Spec, generate_crate, import, write_crate};

use crate::project::{self, Source, error};

/// Terraform's built-in provider, which `terraform_data` and
/// `terraform_remote_state` belong to.
const BUILTIN: &str = "terraform.io/builtin/terraform";

/// The command's definition.
pub fn command() -> clap::Command {
    let command = clap::Command::new("get")
        .about("Generate a crate of typed bindings for providers")
        .long_about(
            "Generate a crate of typed bindings for providers.\n\n\
             Each PROVIDER is a source address with an optional version, \
             hashicorp/aws@5.100.0, or `terraform` for Terraform's built-in \
             provider; with --stack, the providers are the stack's \
             required_providers. terraform runs once to install them (from the \
             plugin directory when TFSYNTH_PLUGIN_DIR or [terraform] plugin_dir \
             is set, so it works offline) and to print their schemas. Each \
             provider becomes a crate in DIR/<name>: add it to your Cargo.toml \
             and give its schema to your App with .provider(&<crate>::PROVIDER), \
             so that validate checks it too. A folder that already holds a \
             provider crate is regenerated; any other non-empty folder is left \
             alone.",
        )
        .after_help(
            "Examples:\n  tfsynth get hashicorp/aws@5.100.0\n  tfsynth get terraform --dir providers\n  tfsynth get --stack network",
        )
        .arg(
            Arg::new("providers")
                .value_name("PROVIDER")
                .action(ArgAction::Append)
                .help("Provider source address, optionally @VERSION (default: the newest available)"),
        )
        .arg(
            Arg::new("stack")
                .long("stack")
                .value_name("STACK")
                .conflicts_with("providers")
                .help("Take the providers from this stack's required_providers"),
        )
        .arg(
            Arg::new("dir")
                .long("dir")
                .value_name("DIR")
                .default_value("providers")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Folder that receives one crate per provider"),
        );
    project::source_args(command)
}

/// One provider asked for.
struct Wanted {
    local: String,
    source: String,
    version: Option<String>,
}

fn parse_provider(text: &str) -> Result<Wanted, Vec<AppError>> {
    let (source, version) = match text.split_once('@') {
        Some((s, v)) => (s, Some(v.to_owned())),
        None => (text, None),
    };
    if source == "terraform" || source == BUILTIN {
        return Ok(Wanted {
            local: "terraform".into(),
            source: BUILTIN.into(),
            version: None,
        });
    }
    let parts: Vec<&str> = source.split('/').collect();
    let valid = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    };
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(valid) {
        return Err(error(
            format!(
                "get: {text:?} is not a provider source address such as hashicorp/aws or hashicorp/aws@5.100.0"
            ),
            2,
        ));
    }
    let full = if parts.len() == 2 {
        format!("registry.terraform.io/{source}")
    } else {
        source.to_owned()
    };
    Ok(Wanted {
        local: parts[parts.len() - 1].to_owned(),
        source: full.to_ascii_lowercase(),
        version,
    })
}

/// The providers of a synthesized stack's `required_providers`.
fn stack_providers(app: &App, cli: &Cli, stack: &str) -> Result<Vec<Wanted>, Vec<AppError>> {
    let settings = cli.settings(app)?;
    let synthesized = app.synth(&[stack.to_owned()], &settings)?;
    let json: serde_json::Value = serde_json::from_str(&synthesized[0].json)
        .map_err(|e| error(format!("get: stack {stack}: {e}"), 1))?;
    let mut out = Vec::new();
    if let Some(required) = json["terraform"]["required_providers"].as_object() {
        for (local, req) in required {
            let source = req["source"].as_str().unwrap_or(local);
            let mut wanted = parse_provider(source)?;
            wanted.local = local.clone();
            wanted.version = req["version"].as_str().map(str::to_owned);
            out.push(wanted);
        }
    }
    if out.is_empty() {
        return Err(error(
            format!("get: stack {stack} requires no provider (hint: stack.require_provider(..))"),
            2,
        ));
    }
    Ok(out)
}

/// Runs terraform in `dir`, failing with its output.
fn terraform(bin: &Path, dir: &Path, args: &[&str]) -> Result<String, Vec<AppError>> {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .map_err(|e| error(format!("get: cannot run {}: {e}", bin.display()), 1))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("Error:") || l.contains("rror"))
            .unwrap_or("terraform failed");
        return Err(error(
            format!(
                "get: terraform {} failed: {first} (hint: is the provider in the plugin directory?)",
                args[0]
            ),
            1,
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `get`.
pub fn run(app: &App, cli: &Cli, m: &ArgMatches, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    let wanted: Vec<Wanted> = match m.get_one::<String>("stack") {
        Some(stack) => stack_providers(app, cli, stack)?,
        None => {
            let given: Vec<&String> = m
                .get_many::<String>("providers")
                .into_iter()
                .flatten()
                .collect();
            if given.is_empty() {
                return Err(error(
                    "get: name the providers (hashicorp/aws@5.100.0) or a stack (--stack NAME)",
                    2,
                ));
            }
            given
                .into_iter()
                .map(|p| parse_provider(p))
                .collect::<Result<_, _>>()?
        }
    };
    let root = m.get_one::<PathBuf>("dir").expect("has a default").clone();
    let engine = Source::from_matches(m);
    // Refuse before running anything if a target folder holds something else.
    for w in &wanted {
        let dir = root.join(&w.local);
        if !project::is_empty_dir(&dir) && !dir.join("provider.toml").is_file() {
            return Err(error(
                format!(
                    "get: {} is not empty and holds no provider crate; nothing was written (hint: choose another --dir)",
                    dir.display()
                ),
                2,
            ));
        }
    }

    let settings = cli.settings(app)?;
    let tf = tfsynth::terraform::Terraform::locate(
        app.name(),
        settings.file.terraform_setting("binary"),
        settings.file.terraform_setting("plugin_dir"),
        settings.file.path().and_then(Path::parent),
    )
    .map_err(|e| vec![AppError::Run(e)])?;
    let scratch = tempfile::tempdir().map_err(|e| error(format!("get: {e}"), 1))?;
    let mut required = serde_json::Map::new();
    let mut config = serde_json::Map::new();
    for w in wanted.iter().filter(|w| w.source != BUILTIN) {
        let mut req = serde_json::json!({"source": w.source});
        if let Some(v) = &w.version {
            req["version"] = v.clone().into();
        }
        required.insert(w.local.clone(), req);
    }
    config.insert(
        "terraform".into(),
        serde_json::json!({"required_providers": required}),
    );
    if wanted.iter().any(|w| w.source == BUILTIN) {
        // terraform prints the built-in provider's schema only when a configuration uses it.
        config.insert(
            "resource".into(),
            serde_json::json!({"terraform_data": {"schema": {}}}),
        );
    }
    std::fs::write(
        scratch.path().join("main.tf.json"),
        serde_json::Value::Object(config).to_string(),
    )
    .map_err(|e| error(format!("get: {e}"), 1))?;
    let mut init = vec![
        "init".to_owned(),
        "-input=false".into(),
        "-no-color".into(),
        "-backend=false".into(),
    ];
    if let Some(plugins) = &tf.plugin_dir {
        init.push(format!("-plugin-dir={}", plugins.display()));
    }
    let init: Vec<&str> = init.iter().map(String::as_str).collect();
    terraform(&tf.bin, scratch.path(), &init)?;
    let schema_json = terraform(&tf.bin, scratch.path(), &["providers", "schema", "-json"])?;
    let version_json = terraform(&tf.bin, scratch.path(), &["version", "-json"])?;
    let versions: serde_json::Value = serde_json::from_str(&version_json)
        .map_err(|e| error(format!("get: terraform version: {e}"), 1))?;
    let selected: BTreeMap<String, String> = versions["provider_selections"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();

    for w in &wanted {
        let version = if w.source == BUILTIN {
            versions["terraform_version"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        } else {
            selected.get(&w.source).cloned().unwrap_or_default()
        };
        let jsonl =
            import(&schema_json, &w.source, &version).map_err(|e| error(format!("get: {e}"), 1))?;
        let dir = root.join(&w.local);
        std::fs::create_dir_all(&dir)
            .map_err(|e| error(format!("get: cannot create {}: {e}", dir.display()), 1))?;
        let spec_path = dir.join("provider.toml");
        if !spec_path.is_file() {
            let spec = Spec {
                name: format!("tfsynth-provider-{}", w.local.replace('_', "-")),
                version: "0.1.0".into(),
                description: format!("Typed tfsynth bindings for the {} provider", w.source),
                license: None,
                repository: None,
                local_name: w.local.clone(),
                tfsynth: engine.dependency("tfsynth", "tfsynth"),
                default_features: Vec::new(),
            };
            std::fs::write(&spec_path, spec.to_toml())
                .map_err(|e| error(format!("get: cannot write {}: {e}", spec_path.display()), 1))?;
        }
        std::fs::write(dir.join("schema.jsonl"), jsonl)
            .map_err(|e| error(format!("get: cannot write {}: {e}", dir.display()), 1))?;
        let files =
            generate_crate(&dir).map_err(|e| error(format!("get: {}: {e}", dir.display()), 1))?;
        write_crate(&dir, &files).map_err(|e| error(format!("get: {e}"), 1))?;
        let spec = Spec::load(&spec_path).map_err(|e| error(format!("get: {e}"), 1))?;
        let types = files
            .keys()
            .filter(|k| k.matches('/').count() == 2 && !k.ends_with("mod.rs"))
            .count();
        let _ = writeln!(
            out,
            "wrote {} ({} {version}, {types} types) to {}\n  add to Cargo.toml: {} = {{ path = {} }}\n  and to the App:   .provider(&{}::PROVIDER)",
            spec.name,
            w.source,
            dir.display(),
            spec.name,
            project::toml_string(&dir.display().to_string()),
            spec.name.replace('-', "_"),
        );
    }
    Ok(())
}
