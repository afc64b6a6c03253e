//! The [`Stack`]: one Terraform root configuration, built from blocks and
//! synthesized to Terraform JSON.

use std::panic::Location;

use indexmap::IndexMap;

use super::block::{
    Address, DataRef, DataSource, Dependency, EphemeralRef, EphemeralResource, IgnoreChanges,
    Lifecycle, Meta, Output, Provider, ProviderRef, Resource, ResourceRef, SourceLocation,
    Variable, VariableRef,
};
use super::deps::DepGraph;
use super::error::{Problem, SynthError, location};
use super::expr::{Expr, Ref};
use super::module::Module;
use super::refactor::{Check, Import, Moved, Removed};
use super::synth;
use super::terraform::{Backend, RequiredProvider, TerraformSettings};
use super::value::Node;

/// Something that can be added to a stack, returning a handle to it.
///
/// Implemented by the raw builders ([`Resource`], [`DataSource`],
/// [`Variable`], [`Output`], [`Provider`]) and by the typed bindings.
pub trait Declare {
    /// What adding returns: a handle whose attributes are references.
    type Handle;
    /// Adds `self` to `stack`.
    fn declare(self, stack: &mut Stack) -> Self::Handle;
}

/// One Terraform root configuration: the blocks of one `main.tf.json`.
#[derive(Debug)]
pub struct Stack {
    name: String,
    terraform: TerraformSettings,
    providers: Vec<Provider>,
    variables: IndexMap<String, Variable>,
    locals: IndexMap<String, (Node, SourceLocation)>,
    pub(crate) data: IndexMap<(String, String), DataSource>,
    ephemerals: IndexMap<(String, String), EphemeralResource>,
    resources: IndexMap<(String, String), Resource>,
    modules: IndexMap<String, Module>,
    outputs: IndexMap<String, Output>,
    pub(crate) moved: Vec<Moved>,
    pub(crate) imports: Vec<Import>,
    pub(crate) removed: Vec<Removed>,
    checks: IndexMap<String, Check>,
    files: IndexMap<String, (String, Vec<u8>, SourceLocation)>,
    problems: Vec<Problem>,
    /// Outputs exported to other stacks ([`Stack::export`]).
    pub(crate) exports: IndexMap<String, SourceLocation>,
    /// Outputs read from other stacks ([`Stack::remote`]), by stack.
    pub(crate) remotes: IndexMap<String, IndexMap<String, SourceLocation>>,
}

/// A declared dependency that synthesis dropped because references already imply it.
#[derive(Clone, Debug, PartialEq)]
pub struct DroppedDependency {
    /// The dependent block.
    pub from: Address,
    /// The dependency.
    pub to: Address,
    /// The reason given where it was declared.
    pub reason: String,
}

/// The result of synthesizing a stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthesized {
    /// The stack's name.
    pub stack: String,
    /// The Terraform JSON, pretty-printed, ending in a newline.
    pub json: String,
    /// Declared dependencies that were not written, being implied by references.
    pub dropped: Vec<DroppedDependency>,
    /// Number of resource blocks.
    pub resources: usize,
    /// Number of data source blocks.
    pub data_sources: usize,
    /// Files to write next to the JSON (assets): path relative to the stack directory, bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Whether `name` is a valid Terraform identifier.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Stack {
    /// An empty stack named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Stack {
            name: name.into(),
            terraform: TerraformSettings::default(),
            providers: Vec::new(),
            variables: IndexMap::new(),
            locals: IndexMap::new(),
            data: IndexMap::new(),
            ephemerals: IndexMap::new(),
            resources: IndexMap::new(),
            modules: IndexMap::new(),
            outputs: IndexMap::new(),
            moved: Vec::new(),
            imports: Vec::new(),
            removed: Vec::new(),
            checks: IndexMap::new(),
            files: IndexMap::new(),
            problems: Vec::new(),
            exports: IndexMap::new(),
            remotes: IndexMap::new(),
        }
    }

    /// Adds a file that synthesis writes next to the stack's JSON, at
    /// `path` relative to the stack directory (assets use this).
    pub fn add_file(&mut self, name: &str, path: String, bytes: Vec<u8>, at: SourceLocation) {
        if let Some((_, _, first)) = self.files.get(&path) {
            let first = *first;
            self.duplicate("asset", format!("asset {name} ({path})"), first, at);
        } else {
            self.files.insert(path, (name.to_owned(), bytes, at));
        }
    }

    /// Adds a module call; see [`Module`] (through [`Stack::add`]).
    pub(crate) fn add_module(&mut self, module: Module) {
        if !self.check_name("module name", &module.name, module.at) {
            return;
        }
        if let Some(first) = self.modules.get(&module.name) {
            let first = first.at;
            self.duplicate(
                "module",
                format!("module.{}", module.name),
                first,
                module.at,
            );
        } else {
            self.modules.insert(module.name.clone(), module);
        }
    }

    /// Adds a check block; see [`Check`].
    pub(crate) fn add_check(&mut self, check: Check) {
        if self.check_name("check name", &check.name, check.at) {
            if let Some(first) = self.checks.get(&check.name) {
                let first = first.at;
                self.duplicate("check", format!("check.{}", check.name), first, check.at);
            } else {
                self.checks.insert(check.name.clone(), check);
            }
        }
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a block and returns its handle; the same as `block.declare(stack)`.
    pub fn add<B: Declare>(&mut self, block: B) -> B::Handle {
        block.declare(self)
    }

    /// Sets `terraform.required_version`.
    pub fn required_version(&mut self, constraint: impl Into<String>) -> &mut Self {
        self.terraform.required_version = Some(constraint.into());
        self
    }

    /// Adds a provider requirement, e.g. `("aws", "hashicorp/aws", "~> 5.100")`.
    pub fn require_provider(
        &mut self,
        name: impl Into<String>,
        source: impl Into<String>,
        version: impl Into<String>,
    ) -> &mut Self {
        self.terraform.required_providers.insert(
            name.into(),
            RequiredProvider {
                source: source.into(),
                version: version.into(),
            },
        );
        self
    }

    /// Sets the state backend (default: local state).
    pub fn backend(&mut self, backend: Backend) -> &mut Self {
        self.terraform.backend = Some(backend);
        self
    }

    /// The `terraform` settings as set so far.
    pub fn settings(&self) -> &TerraformSettings {
        &self.terraform
    }

    /// Declares a local value and returns the reference `local.<name>`.
    #[track_caller]
    pub fn local(&mut self, name: impl Into<String>, value: impl Into<Node>) -> Expr {
        let name = name.into();
        let at = Location::caller();
        self.check_name("local value name", &name, at);
        if let Some((_, first)) = self.locals.get(&name) {
            self.duplicate("local value", format!("local.{name}"), first, at);
        } else {
            self.locals.insert(name.clone(), (value.into(), at));
        }
        Expr::Ref(Ref::Local(name))
    }

    /// Records a problem that a module found in its own inputs; synthesis fails with it.
    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(Problem::Custom(message.into()));
    }

    /// The resources added so far, in declaration order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values()
    }

    /// The data sources added so far, in declaration order.
    pub fn data_sources(&self) -> impl Iterator<Item = &DataSource> {
        self.data.values()
    }

    /// The ephemeral resources added so far, in declaration order.
    pub fn ephemeral_resources(&self) -> impl Iterator<Item = &EphemeralResource> {
        self.ephemerals.values()
    }

    /// The resource of type `ty` named `name`, if declared.
    pub fn resource(&self, ty: &str, name: &str) -> Option<&Resource> {
        self.resources.get(&(ty.to_owned(), name.to_owned()))
    }

    /// The output named `name`, if declared.
    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.get(name)
    }

    /// The names of the declared outputs.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.keys().map(String::as_str)
    }

    fn check_name(&mut self, what: &'static str, name: &str, at: SourceLocation) -> bool {
        let ok = is_identifier(name);
        if !ok {
            self.problems.push(Problem::InvalidName {
                what,
                name: name.to_owned(),
                at: location(at),
            });
        }
        ok
    }

    fn duplicate(
        &mut self,
        kind: &'static str,
        address: String,
        first: SourceLocation,
        second: SourceLocation,
    ) {
        self.problems.push(Problem::Duplicate {
            kind,
            address,
            first: location(first),
            second: location(second),
        });
    }

    /// Checks the stack and renders it as Terraform JSON.
    ///
    /// Every problem is collected before failing: duplicate or invalid names,
    /// references to undeclared blocks, dependency cycles, empty backend fields.
    /// Declared dependencies that references already imply are dropped and
    /// listed in [`Synthesized::dropped`].
    pub fn synth(&self) -> Result<Synthesized, SynthError> {
        let mut problems = self.problems.clone();
        if let Some(backend) = &self.terraform.backend {
            for field in backend.missing_fields() {
                problems.push(Problem::BackendField {
                    backend: backend.kind(),
                    field,
                });
            }
        }
        for setting in self.terraform.template_sequences() {
            problems.push(Problem::LiteralOnly { setting });
        }

        let mut graph = DepGraph::new();
        for address in self.addresses() {
            graph.node(&address);
        }
        // (declaring block, index of the dependency in its list, edge index in the graph)
        let mut declared: Vec<(Address, usize, usize)> = Vec::new();
        for (from, body, exprs, deps) in self.dependents() {
            let mut refs = Vec::new();
            body.iter()
                .for_each(|node| node.visit_refs(&mut |r| refs.push(r.clone())));
            exprs
                .iter()
                .for_each(|expr| expr.visit_refs(&mut |r| refs.push(r.clone())));
            let mut foreign = Vec::new();
            let mut of_stack = |stack: &str, r: &Ref| {
                if stack != self.name
                    && let Some(to) = Address::of_ref(r)
                {
                    foreign.push((stack.to_owned(), to));
                }
            };
            body.iter()
                .for_each(|node| node.visit_stack_refs(&mut of_stack));
            exprs
                .iter()
                .for_each(|expr| expr.visit_stack_refs(&mut of_stack));
            for (stack, to) in foreign {
                // Never bound to a block of this stack that has the same address.
                refs.retain(|r| Address::of_ref(r).as_ref() != Some(&to));
                let problem = Problem::ForeignReference {
                    from: from.clone(),
                    to,
                    stack,
                };
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
            for target in refs.iter().filter_map(Address::of_ref) {
                if graph.contains(&target) {
                    graph.reference(&from, &target);
                } else {
                    let kind = target.kind();
                    let problem = Problem::UndeclaredReference {
                        from: from.clone(),
                        to: target,
                        kind,
                    };
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
            for (i, dep) in deps.iter().enumerate() {
                if let Some(stack) = dep.stack.as_ref().filter(|s| **s != self.name) {
                    problems.push(Problem::ForeignReference {
                        from: from.clone(),
                        to: dep.target.clone(),
                        stack: stack.clone(),
                    });
                    continue;
                }
                if dep.reason.trim().is_empty() {
                    problems.push(Problem::MissingReason {
                        from: from.clone(),
                        to: dep.target.clone(),
                    });
                }
                if graph.contains(&dep.target) {
                    declared.push((from.clone(), i, graph.declared(&from, &dep.target)));
                } else {
                    let kind = dep.target.kind();
                    problems.push(Problem::UndeclaredDependency {
                        from: from.clone(),
                        to: dep.target.clone(),
                        kind,
                    });
                }
            }
        }
        self.check_blocks(&mut problems);
        self.check_state_blocks(&graph, &mut problems);

        let cycles = graph.cycles();
        problems.extend(cycles.into_iter().map(|path| Problem::Cycle { path }));
        if !problems.is_empty() {
            return Err(SynthError {
                stack: self.name.clone(),
                problems,
            });
        }

        let redundant = graph.redundant_declared();
        let mut keep: IndexMap<Address, Vec<&Dependency>> = IndexMap::new();
        let mut dropped = Vec::new();
        let deps_of = |address: &Address| -> &[Dependency] {
            match address {
                Address::Resource { ty, name } => {
                    &self.resources[&(ty.clone(), name.clone())].meta.depends_on
                }
                Address::Data { ty, name } => {
                    &self.data[&(ty.clone(), name.clone())].meta.depends_on
                }
                Address::Ephemeral { ty, name } => {
                    &self.ephemerals[&(ty.clone(), name.clone())].meta.depends_on
                }
                Address::Output(name) => &self.outputs[name].depends_on,
                Address::Module(name) => &self.modules[name].depends_on,
                _ => &[],
            }
        };
        for (from, i, edge) in &declared {
            let dep = &deps_of(from)[*i];
            if redundant[*edge] {
                dropped.push(DroppedDependency {
                    from: from.clone(),
                    to: dep.target.clone(),
                    reason: dep.reason.clone(),
                });
            } else {
                keep.entry(from.clone()).or_default().push(dep);
            }
        }

        let json = synth::render(&synth::Parts {
            terraform: &self.terraform,
            providers: &self.providers,
            variables: &self.variables,
            locals: &self.locals,
            data: &self.data,
            ephemerals: &self.ephemerals,
            resources: &self.resources,
            modules: &self.modules,
            outputs: &self.outputs,
            moved: &self.moved,
            imports: &self.imports,
            removed: &self.removed,
            checks: &self.checks,
            kept: &keep,
        });
        Ok(Synthesized {
            stack: self.name.clone(),
            json,
            dropped,
            resources: self.resources.len(),
            data_sources: self.data.len(),
            files: self
                .files
                .iter()
                .map(|(path, (_, bytes, _))| (path.clone(), bytes.clone()))
                .collect(),
        })
    }

    /// Every declared block that can be referenced or depended on.
    fn addresses(&self) -> impl Iterator<Item = Address> + '_ {
        let vars = self.variables.keys().map(|n| Address::Var(n.clone()));
        let locals = self.locals.keys().map(|n| Address::Local(n.clone()));
        let data = self.data.keys().map(|(ty, name)| Address::Data {
            ty: ty.clone(),
            name: name.clone(),
        });
        let ephemerals = self.ephemerals.keys().map(|(ty, name)| Address::Ephemeral {
            ty: ty.clone(),
            name: name.clone(),
        });
        let resources = self.resources.keys().map(|(ty, name)| Address::Resource {
            ty: ty.clone(),
            name: name.clone(),
        });
        let modules = self.modules.keys().map(|n| Address::Module(n.clone()));
        let outputs = self.outputs.keys().map(|n| Address::Output(n.clone()));
        vars.chain(locals)
            .chain(data)
            .chain(ephemerals)
            .chain(resources)
            .chain(modules)
            .chain(outputs)
    }

    /// Every block that can refer to others: its address, the nodes and
    /// expressions to scan for references, and its declared dependencies.
    #[allow(clippy::type_complexity)]
    fn dependents(&self) -> Vec<(Address, Vec<&Node>, Vec<&Expr>, &[Dependency])> {
        let mut out: Vec<(Address, Vec<&Node>, Vec<&Expr>, &[Dependency])> = Vec::new();
        for (name, (value, _)) in &self.locals {
            out.push((Address::Local(name.clone()), vec![value], vec![], &[]));
        }
        for ((ty, name), block) in &self.data {
            let mut nodes: Vec<&Node> = block.body.values().collect();
            nodes.extend(block.meta.count.iter().chain(block.meta.for_each.iter()));
            out.push((
                Address::Data {
                    ty: ty.clone(),
                    name: name.clone(),
                },
                nodes,
                lifecycle_exprs(&block.meta),
                &block.meta.depends_on,
            ));
        }
        for ((ty, name), block) in &self.ephemerals {
            let mut nodes: Vec<&Node> = block.body.values().collect();
            nodes.extend(block.meta.count.iter().chain(block.meta.for_each.iter()));
            out.push((
                Address::Ephemeral {
                    ty: ty.clone(),
                    name: name.clone(),
                },
                nodes,
                lifecycle_exprs(&block.meta),
                &block.meta.depends_on,
            ));
        }
        for ((ty, name), block) in &self.resources {
            let mut nodes: Vec<&Node> = block.body.values().collect();
            nodes.extend(block.meta.count.iter().chain(block.meta.for_each.iter()));
            out.push((
                Address::Resource {
                    ty: ty.clone(),
                    name: name.clone(),
                },
                nodes,
                lifecycle_exprs(&block.meta),
                &block.meta.depends_on,
            ));
        }
        for (name, module) in &self.modules {
            let mut nodes: Vec<&Node> = module.inputs.values().collect();
            nodes.extend(module.count.iter().chain(module.for_each.iter()));
            out.push((
                Address::Module(name.clone()),
                nodes,
                vec![],
                &module.depends_on,
            ));
        }
        for (name, output) in &self.outputs {
            out.push((
                Address::Output(name.clone()),
                vec![&output.value],
                output.preconditions.iter().map(|c| &c.condition).collect(),
                &output.depends_on,
            ));
        }
        out
    }

    /// Checks `moved`, `import`, `removed` and `check` blocks against what
    /// the stack declares.
    fn check_state_blocks(&self, graph: &DepGraph, problems: &mut Vec<Problem>) {
        let mut custom = |message: String| problems.push(Problem::Custom(message));
        let is_resource = |a: &Address| matches!(a, Address::Resource { .. });
        for m in &self.moved {
            let at = location(m.at);
            if !is_resource(&m.from) || !is_resource(&m.to) {
                custom(format!(
                    "moved at {at}: moved takes resource addresses, not {} -> {}",
                    m.from, m.to
                ));
            } else if m.from == m.to {
                custom(format!(
                    "moved at {at}: {} is moved to itself (hint: give the new block its own name)",
                    m.to
                ));
            } else if graph.contains(&m.from) {
                custom(format!(
                    "moved at {at}: {} is still declared, so Terraform cannot move it to {} (hint: remove or rename the old block)",
                    m.from, m.to
                ));
            } else if !graph.contains(&m.to) {
                custom(format!(
                    "moved at {at}: {} is not declared in this stack (hint: moved names a block of the stack as its new address)",
                    m.to
                ));
            }
        }
        for i in &self.imports {
            let at = location(i.at);
            if !is_resource(&i.to) {
                custom(format!(
                    "import at {at}: {} is not a managed resource (hint: import adopts resources only)",
                    i.to
                ));
            } else if !graph.contains(&i.to) {
                custom(format!(
                    "import at {at}: {} is not declared in this stack (hint: add the resource the object is imported into)",
                    i.to
                ));
            }
            i.id.visit_refs(&mut |r| {
                if let Some(target) = Address::of_ref(r).filter(|t| !graph.contains(t)) {
                    custom(format!("import at {at}: the id references {target}, which is not declared in this stack"));
                }
            });
        }
        for r in &self.removed {
            let at = location(r.at);
            if !is_resource(&r.from) {
                custom(format!(
                    "removed at {at}: removed takes a resource address, not {}",
                    r.from
                ));
            } else if graph.contains(&r.from) {
                custom(format!(
                    "removed at {at}: {} is still declared (hint: delete the block, then say it was removed)",
                    r.from
                ));
            }
        }
        for (name, check) in &self.checks {
            let scoped: Vec<Address> = check
                .scope
                .data
                .keys()
                .map(|(ty, n)| Address::Data {
                    ty: ty.clone(),
                    name: n.clone(),
                })
                .collect();
            for address in scoped.iter().filter(|a| graph.contains(a)) {
                custom(format!(
                    "check.{name}: its data source {address} is also declared in the stack (hint: give one of them another name)"
                ));
            }
            let mut refs = Vec::new();
            for c in &check.asserts {
                c.condition.visit_refs(&mut |r| refs.push(r.clone()));
            }
            for block in check.scope.data.values() {
                block
                    .body
                    .values()
                    .for_each(|n| n.visit_refs(&mut |r| refs.push(r.clone())));
            }
            for target in refs.iter().filter_map(Address::of_ref) {
                if !graph.contains(&target) && !scoped.contains(&target) {
                    custom(format!(
                        "check.{name} references {target}, which is not declared in this stack or the check (hint: add it, or use a handle from this stack)"
                    ));
                }
            }
            if check.asserts.is_empty() {
                custom(format!(
                    "check.{name} has no assertion (hint: add one with .assert(condition, message))"
                ));
            }
            problems_of_scope(&check.scope, name, &mut custom);
        }
        for (name, output) in &self.outputs {
            for c in &output.preconditions {
                let mut any = false;
                c.condition.visit_refs(&mut |_| any = true);
                if !any {
                    custom(format!(
                        "output.{name}: the precondition {} refers to nothing, so it checks nothing",
                        c.condition.to_hcl()
                    ));
                }
            }
        }
    }

    /// Checks that need each block on its own: numbers, paths, providers, lifecycle.
    fn check_blocks(&self, problems: &mut Vec<Problem>) {
        let non_finite = |address: String, node: &Node, root: &str, problems: &mut Vec<Problem>| {
            node.visit_non_finite(root, &mut |path| {
                problems.push(Problem::NonFiniteNumber {
                    address: address.clone(),
                    path: path.to_owned(),
                })
            });
        };
        let providers: Vec<ProviderRef> = self
            .providers
            .iter()
            .map(|p| ProviderRef::new(p.name.clone(), p.alias.clone()))
            .collect();
        for (name, module) in &self.modules {
            let address = format!("module.{name} (declared at {})", location(module.at));
            for why in module.problems() {
                problems.push(Problem::Custom(format!("{address} {why}")));
            }
            for (_, provider) in module
                .providers
                .iter()
                .filter(|(_, p)| !providers.contains(p))
            {
                problems.push(Problem::UndeclaredProvider {
                    from: Address::Module(name.clone()),
                    provider: provider.to_string(),
                });
            }
            for (key, node) in &module.inputs {
                non_finite(format!("module.{name}"), node, key, problems);
            }
        }
        let blocks = self
            .data
            .values()
            .map(|b| {
                (
                    Address::Data {
                        ty: b.ty.clone(),
                        name: b.name.clone(),
                    },
                    &b.body,
                    &b.meta,
                    &b.bad_paths,
                    &b.bad_blocks,
                    b.at,
                )
            })
            .chain(self.ephemerals.values().map(|b| {
                (
                    Address::Ephemeral {
                        ty: b.ty.clone(),
                        name: b.name.clone(),
                    },
                    &b.body,
                    &b.meta,
                    &b.bad_paths,
                    &b.bad_blocks,
                    b.at,
                )
            }))
            .chain(self.resources.values().map(|b| {
                (
                    Address::Resource {
                        ty: b.ty.clone(),
                        name: b.name.clone(),
                    },
                    &b.body,
                    &b.meta,
                    &b.bad_paths,
                    &b.bad_blocks,
                    b.at,
                )
            }));
        for (address, body, meta, bad_paths, bad_blocks, at) in blocks {
            for (key, why) in bad_blocks {
                problems.push(Problem::BadBlock {
                    address: format!("{address} (declared at {})", super::error::location(at)),
                    key: key.clone(),
                    why: why.clone(),
                });
            }
            for (key, node) in body {
                non_finite(address.to_string(), node, key, problems);
                if META_ARGUMENTS.contains(&key.as_str()) {
                    problems.push(Problem::Custom(format!(
                        "{address}: {key:?} is a meta-argument, not an attribute (hint: use the builder's methods: .count(), .for_each(), .provider(), .depends_on(), .lifecycle(), .waive())"
                    )));
                }
            }
            for path in bad_paths {
                problems.push(Problem::BadPath {
                    address: address.to_string(),
                    path: path.clone(),
                });
            }
            if let Some(provider) = meta.provider.as_ref().filter(|p| !providers.contains(p)) {
                problems.push(Problem::UndeclaredProvider {
                    from: address.clone(),
                    provider: provider.to_string(),
                });
            }
            if meta.count.is_some() && meta.for_each.is_some() {
                problems.push(Problem::Custom(format!(
                    "{address}: count and for_each are both set (hint: Terraform allows only one of them per block)"
                )));
            }
            if let Some(lifecycle) = &meta.lifecycle {
                lifecycle_problems(&address, lifecycle, problems);
            }
            if let Some(IgnoreChanges::Attributes(attrs)) = meta
                .lifecycle
                .as_ref()
                .and_then(|l| l.ignore_changes.as_ref())
            {
                for entry in attrs.iter().filter(|a| !is_attribute_path(a)) {
                    problems.push(Problem::BadIgnoreChanges {
                        address: address.to_string(),
                        entry: entry.clone(),
                    });
                }
            }
        }
        for (name, (value, _)) in &self.locals {
            non_finite(format!("local.{name}"), value, "value", problems);
        }
        for (name, output) in &self.outputs {
            non_finite(format!("output.{name}"), &output.value, "value", problems);
        }
    }
}

/// Problems recorded while a check's scoped data sources were added
/// (duplicates, invalid names).
fn problems_of_scope(scope: &Stack, check: &str, custom: &mut dyn FnMut(String)) {
    for problem in &scope.problems {
        custom(format!("check.{check}: {problem}"));
    }
}

/// The expressions of a block's lifecycle that refer to other blocks: its
/// conditions and replacement triggers, which Terraform orders by too.
fn lifecycle_exprs(meta: &Meta) -> Vec<&Expr> {
    meta.lifecycle
        .iter()
        .flat_map(|l| {
            l.preconditions
                .iter()
                .chain(&l.postconditions)
                .map(|c| &c.condition)
                .chain(&l.replace_triggered_by)
        })
        .collect()
}

/// Problems of a lifecycle block on its own: what a data source or
/// ephemeral resource may not set, triggers that are not resource
/// references, `self` outside a postcondition, conditions that check nothing.
fn lifecycle_problems(address: &Address, lifecycle: &Lifecycle, problems: &mut Vec<Problem>) {
    let resource = matches!(address, Address::Resource { .. });
    let mut custom =
        |message: String| problems.push(Problem::Custom(format!("{address}: {message}")));
    if !resource
        && (lifecycle.create_before_destroy
            || lifecycle.prevent_destroy
            || lifecycle.ignore_changes.is_some()
            || !lifecycle.replace_triggered_by.is_empty())
    {
        custom(format!(
            "a {}'s lifecycle takes only preconditions and postconditions (hint: drop the other settings)",
            address.kind()
        ));
    }
    for trigger in &lifecycle.replace_triggered_by {
        if !matches!(trigger_root(trigger), Some(Ref::Resource { .. })) {
            custom(format!(
                "replace_triggered_by entry {} is not a reference to a managed resource or one of its attributes",
                trigger.to_hcl()
            ));
        }
    }
    let mut uses_self = false;
    for c in &lifecycle.preconditions {
        c.condition
            .visit_refs(&mut |r| uses_self |= *r == Ref::SelfObject);
    }
    if uses_self {
        custom(
            "self is only available in a postcondition (hint: refer to the block by its address)"
                .into(),
        );
    }
    for c in lifecycle
        .preconditions
        .iter()
        .chain(&lifecycle.postconditions)
    {
        let mut any = false;
        c.condition.visit_refs(&mut |_| any = true);
        if !any {
            custom(format!(
                "the condition {} refers to nothing, so it checks nothing (hint: compare an attribute, a variable or self)",
                c.condition.to_hcl()
            ));
        }
    }
}

/// The root of a reference chain (`aws_vpc.main.cidr_block` → `aws_vpc.main`).
fn trigger_root(expr: &Expr) -> Option<&Ref> {
    match expr {
        Expr::Ref(r) => Some(r),
        Expr::Of(_, inner) | Expr::GetAttr(inner, _) | Expr::Index(inner, _) => trigger_root(inner),
        _ => None,
    }
}

/// Keys that Terraform reads as meta-arguments of every resource, data
/// source and ephemeral resource (with the comment key); the builders set
/// them so that dependency pruning and escaping stay correct, and
/// validation knows them for blocks written as raw JSON.
pub const META_ARGUMENTS: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "//",
];

/// Whether `text` looks like an attribute path: `tags`, `tags["Name"]`, `a.b[0]`.
fn is_attribute_path(text: &str) -> bool {
    let head_end = text.find(['.', '[']).unwrap_or(text.len());
    is_identifier(&text[..head_end])
        && text[head_end..]
            .chars()
            .all(|c| !c.is_whitespace() || c == ' ')
        && !text.contains("${")
}

/// Inserts `block` under `key` unless the name failed its checks (`ok` is
/// false) or the key is taken; then the first declaration stays and its
/// place is returned, for the duplicate problem.
fn insert_first<K: std::hash::Hash + Eq, B>(
    map: &mut IndexMap<K, B>,
    key: K,
    block: B,
    ok: bool,
    at: fn(&B) -> SourceLocation,
) -> Option<SourceLocation> {
    if let Some(first) = map.get(&key) {
        return Some(at(first));
    }
    if ok {
        map.insert(key, block);
    }
    None
}

impl Declare for Resource {
    type Handle = ResourceRef;

    fn declare(self, stack: &mut Stack) -> ResourceRef {
        let handle = ResourceRef::new(self.ty.clone(), self.name.clone()).in_stack(&stack.name);
        let ok = stack.check_name("resource type", &self.ty, self.at)
            & stack.check_name("resource name", &self.name, self.at);
        let (key, at) = ((self.ty.clone(), self.name.clone()), self.at);
        if let Some(first) = insert_first(&mut stack.resources, key, self, ok, |b| b.at) {
            stack.duplicate("resource", handle.to_string(), first, at);
        }
        handle
    }
}

impl Declare for DataSource {
    type Handle = DataRef;

    fn declare(self, stack: &mut Stack) -> DataRef {
        let handle = DataRef::new(self.ty.clone(), self.name.clone()).in_stack(&stack.name);
        let ok = stack.check_name("data source type", &self.ty, self.at)
            & stack.check_name("data source name", &self.name, self.at);
        let (key, at) = ((self.ty.clone(), self.name.clone()), self.at);
        if let Some(first) = insert_first(&mut stack.data, key, self, ok, |b| b.at) {
            stack.duplicate("data source", handle.to_string(), first, at);
        }
        handle
    }
}

impl Declare for EphemeralResource {
    type Handle = EphemeralRef;

    fn declare(self, stack: &mut Stack) -> EphemeralRef {
        let handle = EphemeralRef::new(self.ty.clone(), self.name.clone()).in_stack(&stack.name);
        let ok = stack.check_name("ephemeral resource type", &self.ty, self.at)
            & stack.check_name("ephemeral resource name", &self.name, self.at);
        let (key, at) = ((self.ty.clone(), self.name.clone()), self.at);
        if let Some(first) = insert_first(&mut stack.ephemerals, key, self, ok, |b| b.at) {
            stack.duplicate("ephemeral resource", handle.to_string(), first, at);
        }
        handle
    }
}

impl Declare for Variable {
    type Handle = VariableRef;

    fn declare(self, stack: &mut Stack) -> VariableRef {
        let handle = VariableRef::new(self.name.clone());
        let ok = stack.check_name("variable name", &self.name, self.at);
        let (address, at) = (format!("var.{}", self.name), self.at);
        if let Some(first) =
            insert_first(&mut stack.variables, self.name.clone(), self, ok, |b| b.at)
        {
            stack.duplicate("variable", address, first, at);
        }
        handle
    }
}

impl Declare for Output {
    type Handle = ();

    fn declare(self, stack: &mut Stack) {
        let ok = stack.check_name("output name", &self.name, self.at);
        let (address, at) = (format!("output.{}", self.name), self.at);
        if let Some(first) = insert_first(&mut stack.outputs, self.name.clone(), self, ok, |b| b.at)
        {
            stack.duplicate("output", address, first, at);
        }
    }
}

impl Declare for Provider {
    type Handle = ProviderRef;

    fn declare(self, stack: &mut Stack) -> ProviderRef {
        let handle = ProviderRef::new(self.name.clone(), self.alias.clone());
        let mut ok = stack.check_name("provider name", &self.name, self.at);
        if let Some(alias) = &self.alias {
            ok &= stack.check_name("provider alias", alias, self.at);
        }
        if let Some(first) = stack
            .providers
            .iter()
            .find(|p| p.name == self.name && p.alias == self.alias)
        {
            let first = first.at;
            stack.duplicate("provider configuration", handle.to_string(), first, self.at);
        } else if ok {
            stack.providers.push(self);
        }
        handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_declaration_of_any_kind_is_a_duplicate_and_the_first_stays() {
        let mut stack = Stack::new("dup");
        stack.add(Resource::new("aws_vpc", "a").set("cidr_block", "10.0.0.0/16"));
        stack.add(Resource::new("aws_vpc", "a").set("cidr_block", "10.9.0.0/16"));
        stack.add(DataSource::new("aws_ami", "a"));
        stack.add(DataSource::new("aws_ami", "a"));
        stack.add(EphemeralResource::new("aws_secret", "a"));
        stack.add(EphemeralResource::new("aws_secret", "a"));
        stack.add(Variable::new("v"));
        stack.add(Variable::new("v"));
        stack.add(Output::new("o", "first"));
        stack.add(Output::new("o", "second"));
        stack.add(Provider::new("aws"));
        stack.add(Provider::new("aws"));
        let kinds: Vec<(&str, String)> = stack
            .problems
            .iter()
            .filter_map(|p| match p {
                Problem::Duplicate { kind, address, .. } => Some((*kind, address.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("resource", "aws_vpc.a".to_owned()),
                ("data source", "data.aws_ami.a".to_owned()),
                ("ephemeral resource", "ephemeral.aws_secret.a".to_owned()),
                ("variable", "var.v".to_owned()),
                ("output", "output.o".to_owned()),
                ("provider configuration", "aws".to_owned()),
            ]
        );
        // The first declaration is the one kept.
        let vpc = &stack.resources[&("aws_vpc".to_owned(), "a".to_owned())];
        assert_eq!(vpc.body["cidr_block"], Node::from("10.0.0.0/16"));
        assert_eq!(stack.outputs["o"].value, Node::from("first"));
        // A badly named block is left out, and is not a duplicate of anything.
        let mut bad = Stack::new("bad");
        bad.add(Variable::new("1x"));
        bad.add(Variable::new("1x"));
        assert!(bad.variables.is_empty());
        assert!(
            bad.problems
                .iter()
                .all(|p| matches!(p, Problem::InvalidName { .. }))
        );
    }

    #[test]
    fn identifiers() {
        let check = |name: &str, expect: bool| assert_eq!(is_identifier(name), expect, "{name}");
        check("main", true);
        check("_x-1", true);
        check("Web_2", true);
        check("", false);
        check("1abc", false);
        check("-a", false);
        check("a.b", false);
        check("a b", false);
        check("ü", false);
    }

    #[test]
    fn attribute_paths() {
        let check =
            |text: &str, expect: bool| assert_eq!(is_attribute_path(text), expect, "{text}");
        check("tags", true);
        check("tags[\"Name\"]", true);
        check("a.b[0]", true);
        check("", false);
        check("${x}", false);
        check("1a", false);
    }
}
