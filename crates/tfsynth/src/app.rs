//! The application model: named stacks, and the command line that serves them.
//!
//! `tfsynth`'s own binary is an [`App`] with the stacks from `modules/`; a
//! user's crate builds its own `App` and gets the same commands.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indexmap::IndexMap;

use crate::config::{self, Config, ConfigError, ConfigFile, Overrides, Spec};
use crate::core::{Stack, SynthError, Synthesized, is_identifier};
use crate::fsio::{self, WriteOutcome};
use crate::provider::ProviderSchemaSource;
use crate::stacks::StacksError;
use crate::suggest;
use crate::terraform::StackLock;
use crate::validate::{Policy, Schemas};

/// A function that adds a stack's blocks, given its resolved configuration.
pub type BuildFn = Box<dyn Fn(&mut Stack, &Config)>;

/// A named stack definition.
pub struct StackDef {
    name: String,
    description: String,
    spec: Spec,
    build: BuildFn,
}

impl StackDef {
    /// The stack's name, also its directory under the output folder.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One line saying what the stack deploys.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The configuration keys the stack accepts.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }
}

/// Where configuration comes from for one run: the file, the selected
/// environment, and environment variables and `--set` overrides.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The configuration file (empty when there is none).
    pub file: ConfigFile,
    /// The environment table to apply (`--env`); `None` uses each stack's default.
    pub environment: Option<String>,
    /// Environment variables and `--set` values.
    pub overrides: Overrides,
}

impl fmt::Debug for StackDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StackDef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Errors of the application layer; each says what is wrong and where.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A stack name that is not defined.
    #[error("unknown stack {name:?}{}; available stacks: {available} (hint: `{app} list` shows them)", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    UnknownStack {
        /// The name as given.
        name: String,
        /// The closest defined name, if any is close.
        suggestion: Option<String>,
        /// All defined names, comma-separated.
        available: String,
        /// The program name, for the hint.
        app: String,
    },
    /// A stack definition whose name cannot be a directory name.
    #[error(
        "invalid stack name {0:?}: a stack name starts with a letter and contains only letters, digits, underscores and hyphens"
    )]
    InvalidStackName(String),
    /// Two stack definitions with one name.
    #[error("stack {0:?} is defined twice (hint: give each stack its own name)")]
    DuplicateStack(String),
    /// The stack's blocks have problems.
    #[error("{0}")]
    Synth(#[from] SynthError),
    /// The configuration has a problem.
    #[error("stack {stack}: {error}")]
    Config {
        /// The stack being configured, or the file's name for file-level problems.
        stack: String,
        /// What is wrong and where.
        error: ConfigError,
    },
    /// The configuration file itself has a problem.
    #[error("{0}")]
    ConfigFile(ConfigError),
    /// The output directory cannot be used.
    #[error("cannot write to output directory {}: {reason} (hint: pass a writable directory with --out)", path.display())]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// What the file system said.
        reason: String,
    },
    /// Something other than a regular file holds the name of a file synthesis writes.
    #[error("cannot write {}: it exists and is not a regular file (hint: move it away; {app} writes only regular files)", path.display())]
    InTheWay {
        /// The path.
        path: PathBuf,
        /// The program's name.
        app: String,
    },
    /// An input file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        reason: String,
    },
    /// Validation found problems (each already printed).
    #[error("validation found {count} problem{}", if *count == 1 { "" } else { "s" })]
    Findings {
        /// How many.
        count: usize,
    },
    /// Only policy rules are broken (each finding already printed).
    #[error("policy rules found {count} problem{} (hint: --policy warn reports them without failing)", if *count == 1 { "" } else { "s" })]
    PolicyFindings {
        /// How many.
        count: usize,
    },
    /// Running terraform failed before or around terraform itself.
    #[error("{0}")]
    Run(#[from] crate::terraform::RunError),
    /// terraform ran and failed; its own output said why.
    #[error("terraform {command} failed with exit code {code}")]
    Terraform {
        /// terraform's exit code.
        code: i32,
        /// The terraform command.
        command: String,
    },
    /// Stacks that read each other's outputs do not fit together.
    #[error(transparent)]
    Stacks(Box<crate::stacks::StacksError>),
    /// The graph could not be built or drawn; `stack` names the stack
    /// when one is to blame.
    #[error("{}{source}", stack.as_ref().map(|s| format!("stack {s}: ")).unwrap_or_default())]
    Graph {
        /// The stack whose graph it is.
        stack: Option<String>,
        /// What went wrong.
        source: crate::graph::GraphError,
    },
    /// A command added with [`App::command`] failed.
    #[error("{message}")]
    Command {
        /// What is wrong, naming what it concerns.
        message: String,
        /// The exit code: 2 for what the user can fix in the invocation, 1 otherwise.
        exit_code: u8,
    },
    /// `synth --check` found files that differ from what synthesis writes
    /// (each already printed).
    #[error("{count} file{} out of date (hint: run {app} synth and commit the result)", if *count == 1 { " is" } else { "s are" })]
    Stale {
        /// How many.
        count: usize,
        /// The program's name.
        app: String,
    },
    /// A stack cannot be written as HCL.
    #[error("stack {stack}: HCL export: {problem}")]
    Export {
        /// The stack.
        stack: String,
        /// What is wrong, and where.
        problem: crate::export::ExportError,
    },
    /// Writing a synthesized file failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl AppError {
    /// The process exit code: 2 for usage and configuration errors, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Run(e) => e.exit_code(),
            AppError::Terraform { code, .. } => {
                u8::try_from(*code).ok().filter(|c| *c != 0).unwrap_or(1)
            }
            AppError::Write { .. } | AppError::Stale { .. } => 1,
            AppError::PolicyFindings { .. } => 3,
            AppError::Command { exit_code, .. } => *exit_code,
            _ => 2,
        }
    }
}

/// A file `synth` would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The file.
    pub path: PathBuf,
    /// How it differs from what synthesis writes.
    pub kind: StaleKind,
}

/// How a file differs from what synthesis writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaleKind {
    /// Synthesis writes other bytes.
    Differs,
    /// Synthesis writes it, and it is not there.
    Missing,
    /// Synthesis would remove it.
    Extra,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            StaleKind::Differs => "differs from what synthesis writes",
            StaleKind::Missing => "is missing",
            StaleKind::Extra => "would be removed",
        };
        write!(f, "{} {what}", self.path.display())
    }
}

/// The syntax a stack is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Terraform JSON, `main.tf.json`: what plan and apply run terraform on.
    #[default]
    Json,
    /// HCL native syntax, `main.tf`, formatted as `terraform fmt` writes it.
    Hcl,
}

impl Format {
    /// The file a stack is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "main.tf.json",
            Format::Hcl => "main.tf",
        }
    }

    fn other(self) -> Format {
        match self {
            Format::Json => Format::Hcl,
            Format::Hcl => Format::Json,
        }
    }
}

/// One stack written to disk.
#[derive(Debug)]
pub struct Written {
    /// The synthesis result.
    pub synthesized: Synthesized,
    /// The file written.
    pub path: PathBuf,
    /// Whether the file changed.
    pub outcome: WriteOutcome,
}

/// A set of named stacks with the `tfsynth` command line.
pub struct App {
    name: String,
    config_file: String,
    stacks: Vec<StackDef>,
    providers: Vec<&'static ProviderSchemaSource>,
    policies: Vec<Policy>,
    durations: &'static [(&'static str, f64)],
    extensions: Vec<(clap::Command, crate::cli::ExtensionFn)>,
}

impl App {
    /// An application; `name` is the program name shown in help and hints,
    /// and names its configuration file, `<name>.toml`.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        App {
            config_file: format!("{name}.toml"),
            name,
            stacks: Vec::new(),
            providers: Vec::new(),
            policies: Vec::new(),
            durations: &[],
            extensions: Vec::new(),
        }
    }

    /// The program name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The prefix of the application's environment variables: its name in
    /// upper case, `TFSYNTH` for `TFSYNTH_<STACK>_<KEY>`.
    pub fn env_prefix(&self) -> String {
        config::env_prefix(&self.name)
    }

    /// The configuration file name searched for (`<name>.toml`).
    pub fn config_file_name(&self) -> &str {
        &self.config_file
    }

    /// Defines a stack that takes no configuration: its name, a one-line
    /// description, and the function that builds it.
    pub fn stack(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        build: impl Fn(&mut Stack) + 'static,
    ) -> Self {
        self.configured_stack(name, description, Spec::new(), move |stack, _| build(stack))
    }

    /// Defines a stack with configuration: the keys it accepts, and the
    /// function that builds it from the resolved values.
    pub fn configured_stack(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        spec: Spec,
        build: impl Fn(&mut Stack, &Config) + 'static,
    ) -> Self {
        self.stacks.push(StackDef {
            name: name.into(),
            description: description.into(),
            spec,
            build: Box::new(build),
        });
        self
    }

    /// Defines a stack with typed configuration: its keys are the fields of
    /// `S` (`#[derive(Settings)]`), and `build` receives them resolved.
    ///
    /// ```
    /// use tfsynth::config::Settings;
    /// use tfsynth::{App, Resource, Stack};
    ///
    /// #[derive(Settings)]
    /// struct Site {
    ///     /// name of the bucket
    ///     bucket_name: String,
    /// }
    ///
    /// fn site(stack: &mut Stack, config: &Site) {
    ///     stack.add(Resource::new("aws_s3_bucket", "site").set("bucket", config.bucket_name.as_str()));
    /// }
    ///
    /// let app = App::new("myinfra").settings_stack("site", "A bucket", site);
    /// ```
    ///
    /// A key the struct does not have does not compile:
    ///
    /// ```compile_fail
    /// # use tfsynth::config::Settings;
    /// # use tfsynth::{App, Stack};
    /// #[derive(Settings)]
    /// struct Site {
    ///     /// name of the bucket
    ///     bucket_name: String,
    /// }
    ///
    /// fn site(_stack: &mut Stack, config: &Site) {
    ///     let _ = &config.bucket_nmae;
    /// }
    /// # let _ = App::new("myinfra").settings_stack("site", "A bucket", site);
    /// ```
    pub fn settings_stack<S: crate::config::Settings + 'static>(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        build: impl Fn(&mut Stack, &S) + 'static,
    ) -> Self {
        self.configured_stack(name, description, S::spec(), move |stack, config| {
            build(stack, &S::from_config(config))
        })
    }

    /// Adds a provider's schema, which `validate` checks configurations
    /// against (for AWS: `tfsynth_aws::PROVIDER`). Terraform's built-in
    /// `terraform` provider is always known.
    pub fn provider(mut self, schema: &'static ProviderSchemaSource) -> Self {
        self.providers.push(schema);
        self
    }

    /// Adds a set of policy rules that `validate` runs after the schema checks.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policies.push(policy);
        self
    }

    /// The schemas `validate` uses, each type parsed when first needed.
    pub fn schemas(&self) -> Schemas {
        Schemas::new(&self.providers)
    }

    /// Sets the typical creation time of resource types (type, seconds), for
    /// `graph`'s apply-time estimates.
    pub fn durations(mut self, table: &'static [(&'static str, f64)]) -> Self {
        self.durations = table;
        self
    }

    /// Adds a command of the application's own to its command line.
    pub fn command(mut self, command: clap::Command, run: crate::cli::ExtensionFn) -> Self {
        self.extensions.push((command, run));
        self
    }

    /// The commands added with [`App::command`].
    pub fn extensions(&self) -> &[(clap::Command, crate::cli::ExtensionFn)] {
        &self.extensions
    }

    /// The creation-time table.
    pub fn duration_table(&self) -> &'static [(&'static str, f64)] {
        self.durations
    }

    /// The policy rule sets, in the order they were added.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The defined stacks, in definition order.
    pub fn stacks(&self) -> &[StackDef] {
        &self.stacks
    }

    /// Checks the stack definitions themselves: names usable as directories, no duplicates.
    pub fn check(&self) -> Result<(), AppError> {
        for (i, def) in self.stacks.iter().enumerate() {
            if !is_identifier(&def.name) || def.name.starts_with('_') {
                return Err(AppError::InvalidStackName(def.name.clone()));
            }
            if self.stacks[..i].iter().any(|d| d.name == def.name) {
                return Err(AppError::DuplicateStack(def.name.clone()));
            }
        }
        Ok(())
    }

    /// Resolves stack names; an empty selection means every stack.
    pub fn select(&self, names: &[String]) -> Result<Vec<&StackDef>, AppError> {
        self.check()?;
        if names.is_empty() {
            return Ok(self.stacks.iter().collect());
        }
        let mut selected: Vec<&StackDef> = Vec::new();
        for name in names {
            let def = self
                .stacks
                .iter()
                .find(|d| &d.name == name)
                .ok_or_else(|| AppError::UnknownStack {
                    name: name.clone(),
                    suggestion: suggest::closest(name, self.stacks.iter().map(|d| d.name.as_str()))
                        .map(str::to_owned),
                    available: self
                        .stacks
                        .iter()
                        .map(|d| d.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    app: self.name.clone(),
                })?;
            if !selected.iter().any(|d| d.name == def.name) {
                selected.push(def);
            }
        }
        Ok(selected)
    }

    /// Checks run-wide settings against the stack definitions: every stack
    /// the file configures and every stack `--set` names must exist, and what
    /// the environment and `--set` give any stack, selected or not, must be
    /// a value of one of its keys.
    pub fn check_settings(&self, settings: &Settings) -> Result<(), Vec<AppError>> {
        let known: Vec<&str> = self.stacks.iter().map(|d| d.name.as_str()).collect();
        for name in settings.file.stack_names() {
            if !known.contains(&name) {
                let hint = suggest::did_you_mean(name, known.iter().copied());
                let path = settings
                    .file
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                return Err(vec![AppError::ConfigFile(ConfigError {
                    location: format!("{path} [stacks.{name}]"),
                    message: format!(
                        "no stack is named {name:?}{hint}; stacks: {}",
                        known.join(", ")
                    ),
                })]);
            }
        }
        settings
            .overrides
            .check_stacks(&known)
            .map_err(|e| vec![AppError::ConfigFile(e)])?;
        let errors: Vec<AppError> = self
            .stacks
            .iter()
            .flat_map(|def| {
                config::check_overrides(&def.spec, &def.name, &self.overrides(settings))
                    .into_iter()
                    .map(|error| AppError::Config {
                        stack: def.name.clone(),
                        error,
                    })
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The settings' overrides, naming the application's variables even when
    /// they were made without its prefix (`Settings::default()`).
    fn overrides<'a>(&self, settings: &'a Settings) -> std::borrow::Cow<'a, Overrides> {
        if settings.overrides.prefix().is_empty() {
            std::borrow::Cow::Owned(settings.overrides.clone().with_prefix(&self.env_prefix()))
        } else {
            std::borrow::Cow::Borrowed(&settings.overrides)
        }
    }

    /// Resolves a stack's configuration.
    pub fn configure(&self, def: &StackDef, settings: &Settings) -> Result<Config, Vec<AppError>> {
        config::resolve(
            &def.spec,
            &def.name,
            &settings.file,
            settings.environment.as_deref(),
            &self.overrides(settings),
        )
        .map_err(|errors| {
            errors
                .into_iter()
                .map(|error| AppError::Config {
                    stack: def.name.clone(),
                    error,
                })
                .collect()
        })
    }

    /// Builds a stack from its definition and configuration; the configured
    /// backend, if any, is set before the stack's own blocks.
    pub fn build(&self, def: &StackDef, config: &Config) -> Stack {
        let mut stack = Stack::new(def.name.clone());
        if let Some(backend) = config.backend() {
            stack.backend(backend.clone());
        }
        (def.build)(&mut stack, config);
        stack
    }

    /// Builds and synthesizes the named stacks (all when `names` is empty),
    /// collecting the problems of every stack before failing.
    pub fn synth(
        &self,
        names: &[String],
        settings: &Settings,
    ) -> Result<Vec<Synthesized>, Vec<AppError>> {
        let defs = self.select(names).map_err(|e| vec![e])?;
        self.check_settings(settings)?;
        let selected: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
        let mut built = self.build_with_producers(&selected, settings)?;
        let mut done = Vec::new();
        let mut errors = Vec::new();
        for name in &selected {
            let (stack, _) = built.get_mut(name).expect("every selected stack is built");
            match stack.synth() {
                Ok(s) => done.push(s),
                Err(e) => errors.push(AppError::Synth(e)),
            }
        }
        if errors.is_empty() {
            Ok(done)
        } else {
            Err(errors)
        }
    }

    /// Builds the named stacks and every stack they read outputs of, then
    /// connects each reader to its producers' state: every problem (an
    /// unknown producer, an output it does not export, a cycle between
    /// stacks, a backend a reader cannot reach) is collected.
    fn build_with_producers(
        &self,
        names: &[String],
        settings: &Settings,
    ) -> Result<IndexMap<String, (Stack, Config)>, Vec<AppError>> {
        let mut built: IndexMap<String, (Stack, Config)> = IndexMap::new();
        let mut errors = Vec::new();
        let mut failed: Vec<String> = Vec::new();
        let mut todo: Vec<String> = names.to_vec();
        while let Some(name) = todo.pop() {
            if built.contains_key(&name) || failed.contains(&name) {
                continue;
            }
            let Some(def) = self.stacks.iter().find(|d| d.name == name) else {
                continue;
            };
            let config = match self.configure(def, settings) {
                Ok(config) => config,
                Err(e) => {
                    errors.extend(e);
                    failed.push(name);
                    continue;
                }
            };
            let stack = self.build(def, &config);
            for (producer, outputs) in stack.remotes() {
                if self.stacks.iter().any(|d| d.name == producer) {
                    todo.push(producer.to_owned());
                } else {
                    let (output, at) = outputs[0];
                    errors.push(AppError::Stacks(Box::new(StacksError::UnknownProducer {
                        reader: name.clone(),
                        producer: producer.to_owned(),
                        output: output.to_owned(),
                        file: at.file().to_owned(),
                        line: at.line(),
                        app: self.name.clone(),
                        suggestion: suggest::closest(
                            producer,
                            self.stacks.iter().map(|d| d.name.as_str()),
                        )
                        .map(str::to_owned),
                    })));
                }
            }
            built.insert(name, (stack, config));
        }
        // In the app's order, so that messages do not depend on the selection.
        built.sort_by_cached_key(|name, _| self.stacks.iter().position(|d| &d.name == name));
        let edges: IndexMap<String, Vec<String>> = built
            .iter()
            .map(|(name, (stack, _))| {
                (
                    name.clone(),
                    stack.remotes().map(|(p, _)| p.to_owned()).collect(),
                )
            })
            .collect();
        if let Some(cycle) = crate::stacks::find_cycle(&edges) {
            errors.push(AppError::Stacks(Box::new(StacksError::Cycle { cycle })));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Each reader gets a remote state data source per producer.
        let mut additions: Vec<(String, crate::core::DataSource)> = Vec::new();
        for (name, (stack, _)) in &built {
            for (producer, outputs) in stack.remotes() {
                let (producer_stack, producer_config) = &built[producer];
                let exported: Vec<&str> = producer_stack.exported().collect();
                for (output, at) in &outputs {
                    if !exported.contains(output) {
                        errors.push(AppError::Stacks(Box::new(StacksError::NotExported {
                            reader: name.clone(),
                            producer: producer.to_owned(),
                            output: (*output).to_owned(),
                            file: at.file().to_owned(),
                            line: at.line(),
                            exported: exported.iter().map(|e| (*e).to_owned()).collect(),
                        })));
                    }
                }
                additions.push((
                    name.clone(),
                    crate::stacks::remote_state(producer, producer_config.backend()),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for (name, block) in additions {
            built.get_mut(&name).expect("built").0.add(block);
        }
        Ok(built)
    }

    /// Each stack with the stacks it reads outputs of, in the app's order;
    /// a stack whose configuration does not resolve is left out.
    pub fn stack_dependencies(&self, settings: &Settings) -> Vec<(String, Vec<String>)> {
        self.stacks
            .iter()
            .filter_map(|def| {
                let config = self.configure(def, settings).ok()?;
                let stack = self.build(def, &config);
                Some((
                    def.name.clone(),
                    stack.remotes().map(|(p, _)| p.to_owned()).collect(),
                ))
            })
            .collect()
    }

    /// Synthesizes the named stacks and writes `<out>/<stack>/main.tf.json`
    /// for each, with its assets. Nothing is written unless every stack
    /// synthesizes and every file can be staged; see [`App::synth_locked`].
    pub fn synth_to(
        &self,
        names: &[String],
        settings: &Settings,
        out: &Path,
    ) -> Result<Vec<Written>, Vec<AppError>> {
        self.synth_as(names, settings, out, Format::Json)
    }

    /// [`App::synth_to`] in either format: `main.tf.json`, or `main.tf` in
    /// HCL native syntax ([`crate::export`]). Writing one removes the other
    /// from the stack's directory, which terraform would read as well.
    pub fn synth_as(
        &self,
        names: &[String],
        settings: &Settings,
        out: &Path,
        format: Format,
    ) -> Result<Vec<Written>, Vec<AppError>> {
        self.write_stacks(names, settings, out, format)
            .map(|(written, _)| written)
    }

    /// Like [`App::synth_to`], returning the locks of the stack directories,
    /// which the caller holds while terraform reads what was written.
    ///
    /// Every stack is synthesized in memory first; then each directory is
    /// locked (a directory another tfsynth command holds is refused before
    /// anything is written), every file is written beside its target, and
    /// only when all are staged are they renamed into place. A failure on the
    /// way removes what was staged and the directories this run created.
    pub fn synth_locked(
        &self,
        names: &[String],
        settings: &Settings,
        out: &Path,
    ) -> Result<(Vec<Written>, Vec<StackLock>), Vec<AppError>> {
        self.write_stacks(names, settings, out, Format::Json)
    }

    /// The text of each synthesized stack in `format`; every export problem
    /// is collected.
    fn render(&self, all: &[Synthesized], format: Format) -> Result<Vec<String>, Vec<AppError>> {
        match format {
            Format::Json => Ok(all.iter().map(|s| s.json.clone()).collect()),
            Format::Hcl => {
                let schemas = self.schemas();
                let mut texts = Vec::new();
                let mut errors = Vec::new();
                for s in all {
                    match crate::export::to_hcl(&s.json, &schemas) {
                        Ok(text) => texts.push(text),
                        Err(problems) => {
                            errors.extend(problems.into_iter().map(|problem| AppError::Export {
                                stack: s.stack.clone(),
                                problem,
                            }))
                        }
                    }
                }
                if errors.is_empty() {
                    Ok(texts)
                } else {
                    Err(errors)
                }
            }
        }
    }

    /// What `synth` would change under `out` for the named stacks, writing
    /// nothing: each file whose bytes differ or that is missing, and each
    /// file it would remove (an asset no longer declared, the other
    /// format's file). Empty when the committed output is up to date.
    pub fn check_written(
        &self,
        names: &[String],
        settings: &Settings,
        out: &Path,
        format: Format,
    ) -> Result<Vec<Stale>, Vec<AppError>> {
        let all = self.synth(names, settings)?;
        let texts = self.render(&all, format)?;
        let mut stale = Vec::new();
        let differs = |path: &Path, bytes: &[u8]| match std::fs::read(path) {
            Ok(on_disk) if on_disk == bytes => None,
            Ok(_) => Some(StaleKind::Differs),
            Err(_) => Some(StaleKind::Missing),
        };
        for (synthesized, text) in all.iter().zip(&texts) {
            let dir = out.join(&synthesized.stack);
            let main = dir.join(format.file_name());
            if let Some(kind) = differs(&main, text.as_bytes()) {
                stale.push(Stale { path: main, kind });
            }
            for (relative, bytes) in &synthesized.files {
                let path = dir.join(relative);
                if let Some(kind) = differs(&path, bytes) {
                    stale.push(Stale { path, kind });
                }
            }
            let other = dir.join(format.other().file_name());
            if other.is_file() {
                stale.push(Stale {
                    path: other,
                    kind: StaleKind::Extra,
                });
            }
            let mut extra = Vec::new();
            undeclared_assets(
                &dir.join(crate::asset::ASSET_DIR),
                crate::asset::ASSET_DIR,
                &synthesized.files,
                0,
                &mut extra,
            );
            stale.extend(extra.into_iter().map(|path| Stale {
                path,
                kind: StaleKind::Extra,
            }));
        }
        Ok(stale)
    }

    fn write_stacks(
        &self,
        names: &[String],
        settings: &Settings,
        out: &Path,
        format: Format,
    ) -> Result<(Vec<Written>, Vec<StackLock>), Vec<AppError>> {
        let all = self.synth(names, settings)?;
        // Every stack's text first, so that any problem is reported before writing.
        let texts = self.render(&all, format)?;
        let mut created: Vec<PathBuf> = Vec::new();
        let undo = |created: &[PathBuf]| {
            for dir in created.iter().rev() {
                let _ = std::fs::remove_dir_all(dir);
            }
        };
        let mut locks = Vec::new();
        let mut staged = Vec::new();
        let result = (|| {
            for (synthesized, text) in all.iter().zip(&texts) {
                let dir = out.join(&synthesized.stack);
                if !dir.is_dir() {
                    let mut missing = Vec::new();
                    let mut d = dir.as_path();
                    while !d.as_os_str().is_empty() && !d.exists() {
                        missing.push(d.to_path_buf());
                        d = d.parent().unwrap_or(Path::new(""));
                    }
                    std::fs::create_dir_all(&dir).map_err(|e| {
                        let path = if out.is_dir() {
                            dir.clone()
                        } else {
                            out.to_path_buf()
                        };
                        vec![AppError::OutDir {
                            path,
                            reason: e.to_string(),
                        }]
                    })?;
                    created.extend(missing.into_iter().rev());
                }
                locks.push(
                    StackLock::acquire(&self.name, &synthesized.stack, &dir)
                        .map_err(|e| vec![AppError::Run(e)])?,
                );
                fsio::remove_stale_temporaries(&dir);
                let write_error = |path: PathBuf, source: std::io::Error| match source.kind() {
                    std::io::ErrorKind::PermissionDenied => vec![AppError::OutDir {
                        path: dir.clone(),
                        reason: source.to_string(),
                    }],
                    std::io::ErrorKind::InvalidInput => vec![AppError::InTheWay {
                        path,
                        app: self.name.clone(),
                    }],
                    _ => vec![AppError::Write { path, source }],
                };
                let path = dir.join(format.file_name());
                let main = fsio::stage(&path, text.as_bytes())
                    .map_err(|e| write_error(path.clone(), e))?;
                let mut files = Vec::new();
                if !synthesized.files.is_empty() {
                    let assets = dir.join(crate::asset::ASSET_DIR);
                    if !assets.is_dir() {
                        std::fs::create_dir(&assets).map_err(|e| write_error(assets.clone(), e))?;
                        created.push(assets.clone());
                    }
                    fsio::remove_stale_temporaries(&assets);
                }
                for (relative, bytes) in &synthesized.files {
                    let target = dir.join(relative);
                    if let Some(parent) = target.parent().filter(|p| !p.is_dir()) {
                        let mut missing = Vec::new();
                        let mut d = parent;
                        while !d.is_dir() && d.starts_with(&dir) {
                            missing.push(d.to_path_buf());
                            d = d.parent().unwrap_or(&dir);
                        }
                        std::fs::create_dir_all(parent)
                            .map_err(|e| write_error(parent.to_path_buf(), e))?;
                        created.extend(missing.into_iter().rev());
                    }
                    files.push(
                        fsio::stage(&target, bytes).map_err(|e| write_error(target.clone(), e))?,
                    );
                }
                staged.push((dir, path, main, files));
            }
            Ok::<(), Vec<AppError>>(())
        })();
        if let Err(errors) = result {
            drop(staged);
            drop(locks);
            undo(&created);
            return Err(errors);
        }
        let mut written = Vec::new();
        for (synthesized, (dir, path, main, files)) in all.into_iter().zip(staged) {
            let outcome = main.commit().map_err(|source| {
                vec![AppError::Write {
                    path: path.clone(),
                    source,
                }]
            })?;
            for file in files {
                let target = file.path().to_path_buf();
                file.commit().map_err(|source| {
                    vec![AppError::Write {
                        path: target,
                        source,
                    }]
                })?;
            }
            remove_undeclared_assets(&dir, &synthesized.files)?;
            let other = dir.join(format.other().file_name());
            if other.is_file() {
                std::fs::remove_file(&other).map_err(|source| {
                    vec![AppError::Write {
                        path: other.clone(),
                        source,
                    }]
                })?;
            }
            written.push(Written {
                synthesized,
                path,
                outcome,
            });
        }
        Ok((written, locks))
    }

    /// Runs the command line with the process arguments and returns the exit code.
    pub fn run(self) -> ExitCode {
        self.run_with(std::env::args_os())
    }

    /// Runs the command line with the given arguments (the first is the program name).
    pub fn run_with<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        ExitCode::from(crate::cli::run(&self, args))
    }
}

/// Removes files of a stack's asset folder that it no longer declares (the
/// folder is tfsynth's).
/// The files below `folder` (`relative` to the stack directory) that
/// synthesis does not declare.
fn undeclared_assets(
    folder: &Path,
    relative: &str,
    files: &[(String, Vec<u8>)],
    depth: usize,
    out: &mut Vec<PathBuf>,
) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = format!("{relative}/{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() && depth < 64 {
            undeclared_assets(&path, &name, files, depth + 1, out);
        } else if meta.is_file() && !files.iter().any(|(p, _)| *p == name) {
            out.push(path);
        }
    }
}

fn remove_undeclared_assets(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Vec<AppError>> {
    /// Removes the files below `folder` that are not declared, then the
    /// folders left empty; `relative` is `folder` relative to the stack.
    fn sweep(
        folder: &Path,
        relative: &str,
        files: &[(String, Vec<u8>)],
        depth: usize,
    ) -> Result<(), Vec<AppError>> {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = format!("{relative}/{}", entry.file_name().to_string_lossy());
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() && depth < 64 {
                sweep(&path, &name, files, depth + 1)?;
                // Only an empty folder goes; one holding something else stays.
                let _ = std::fs::remove_dir(&path);
            } else if meta.is_file() && !files.iter().any(|(p, _)| *p == name) {
                std::fs::remove_file(&path).map_err(|source| {
                    vec![AppError::Write {
                        path: path.clone(),
                        source,
                    }]
                })?;
            }
        }
        Ok(())
    }
    sweep(
        &dir.join(crate::asset::ASSET_DIR),
        crate::asset::ASSET_DIR,
        files,
        0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Resource;

    fn app() -> App {
        App::new("t")
            .stack("one", "first", |s| {
                s.add(Resource::new("null_resource", "a"));
            })
            .stack("two", "second", |_| {})
    }

    #[test]
    fn selects_stacks() {
        let app = app();
        let names = |sel: &[&str]| -> Vec<String> {
            let sel: Vec<String> = sel.iter().map(|s| s.to_string()).collect();
            app.select(&sel)
                .unwrap()
                .iter()
                .map(|d| d.name.clone())
                .collect()
        };
        assert_eq!(names(&[]), ["one", "two"]);
        assert_eq!(names(&["two", "one", "two"]), ["two", "one"]);
        let err = app.select(&["onw".into()]).unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown stack \"onw\" (did you mean \"one\"?); available stacks: one, two (hint: `t list` shows them)"
        );
    }

    #[test]
    fn rejects_bad_definitions() {
        let bad = App::new("t").stack("../etc", "", |_| {});
        assert!(matches!(bad.check(), Err(AppError::InvalidStackName(_))));
        let dup = App::new("t").stack("a", "", |_| {}).stack("a", "", |_| {});
        assert!(matches!(dup.check(), Err(AppError::DuplicateStack(_))));
    }

    #[test]
    fn writes_nothing_when_a_stack_fails() {
        let app = app().stack("broken", "", |s| {
            s.add(Resource::new("null_resource", "x"));
            s.add(Resource::new("null_resource", "x"));
        });
        let dir = tempfile::tempdir().unwrap();
        let errors = app
            .synth_to(&[], &Settings::default(), dir.path())
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .to_string()
                .starts_with("stack broken: duplicate resource null_resource.x")
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing written"
        );
    }
}
