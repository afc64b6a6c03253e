//! `module` blocks: calls of Terraform modules, from a registry, a Git
//! repository or a local directory, with their inputs and meta-arguments,
//! and the handle whose outputs are references.

use indexmap::IndexMap;

use super::block::{Address, Dependable, Dependency, ProviderRef, SourceLocation};
use super::expr::{Expr, Ref};
use super::stack::{Declare, Stack};
use super::value::Node;

/// Arguments of a module block that are not inputs.
pub(crate) const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// A module call under construction.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) version: Option<String>,
    pub(crate) inputs: IndexMap<String, Node>,
    pub(crate) count: Option<Node>,
    pub(crate) for_each: Option<Node>,
    /// (the module's provider name, the configuration passed to it)
    pub(crate) providers: Vec<(String, ProviderRef)>,
    pub(crate) depends_on: Vec<Dependency>,
    pub(crate) at: SourceLocation,
}

impl Module {
    /// Calls the module at `source` (`"./modules/naming"`,
    /// `"terraform-aws-modules/vpc/aws"`, `"git::https://..."`) as `name`.
    #[track_caller]
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Module {
        Module {
            name: name.into(),
            source: source.into(),
            version: None,
            inputs: IndexMap::new(),
            count: None,
            for_each: None,
            providers: Vec::new(),
            depends_on: Vec::new(),
            at: std::panic::Location::caller(),
        }
    }

    /// The version constraint of a registry module (`"~> 5.0"`).
    pub fn version(mut self, constraint: impl Into<String>) -> Module {
        self.version = Some(constraint.into());
        self
    }

    /// Sets the module's input variable `name`.
    pub fn input(mut self, name: impl Into<String>, value: impl Into<Node>) -> Module {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// `count`: call the module this many times.
    pub fn count(mut self, count: impl Into<Node>) -> Module {
        self.count = Some(count.into());
        self
    }

    /// `for_each`: one call per element of a map or set.
    pub fn for_each(mut self, items: impl Into<Node>) -> Module {
        self.for_each = Some(items.into());
        self
    }

    /// Passes the provider configuration `provider` to the module as its
    /// provider `name` (`providers = { aws = aws.west }`).
    pub fn provider(mut self, name: impl Into<String>, provider: &ProviderRef) -> Module {
        self.providers.push((name.into(), provider.clone()));
        self
    }

    /// Declares a hidden dependency with the reason no reference implies it.
    pub fn depends_on(mut self, target: &impl Dependable, reason: impl Into<String>) -> Module {
        self.depends_on.push(Dependency::on(target, reason));
        self
    }

    /// Why Terraform would refuse this call, each as a message.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let local = self.source.starts_with("./") || self.source.starts_with("../");
        if self.source.trim().is_empty() {
            out.push("has an empty source".to_owned());
        }
        if self.source.contains("${") || self.source.contains("%{") {
            out.push(
                "has `${` or `%{` in its source, which Terraform reads literally (hint: a module source cannot be computed)"
                    .to_owned(),
            );
        }
        if let Some(v) = &self.version {
            if local {
                out.push(format!(
                    "sets version {v:?} for the local source {:?}, which only registry modules take",
                    self.source
                ));
            } else if v.trim().is_empty() {
                out.push("has an empty version constraint".to_owned());
            }
        }
        if self.count.is_some() && self.for_each.is_some() {
            out.push("sets both count and for_each (hint: Terraform allows only one)".to_owned());
        }
        for key in self.inputs.keys() {
            if MODULE_META.contains(&key.as_str()) {
                out.push(format!(
                    "has an input named {key:?}, which is a meta-argument of module blocks (hint: use the builder's method)"
                ));
            } else if !super::stack::is_identifier(key) {
                out.push(format!(
                    "has an input named {key:?}, which is not an identifier"
                ));
            }
        }
        for (name, _) in &self.providers {
            if !super::stack::is_identifier(name) {
                out.push(format!(
                    "passes a provider as {name:?}, which is not a provider name"
                ));
            }
        }
        out
    }
}

/// A declared module call; its outputs are references.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleRef {
    name: String,
}

impl ModuleRef {
    /// The handle of the module call `name`.
    pub fn new(name: impl Into<String>) -> ModuleRef {
        ModuleRef { name: name.into() }
    }

    /// The call's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `module.<name>`: every output of the call, as an object.
    pub fn expr(&self) -> Expr {
        Expr::Ref(Ref::Module(self.name.clone()))
    }

    /// `module.<name>.<output>`.
    pub fn output(&self, output: impl Into<String>) -> Expr {
        self.expr().attr(output)
    }
}

impl Dependable for ModuleRef {
    fn dependency_address(&self) -> Address {
        Address::Module(self.name.clone())
    }
}

impl Declare for Module {
    type Handle = ModuleRef;

    fn declare(self, stack: &mut Stack) -> ModuleRef {
        let handle = ModuleRef::new(self.name.clone());
        stack.add_module(self);
        handle
    }
}
