//! The blocks a stack holds: resources, data sources, variables, outputs and
//! provider configurations, with their meta-arguments, plus the handles that
//! adding a block returns.
//!
//! A block is built by value and then added to a [`Stack`](super::Stack),
//! which hands back a handle. Handles are plain data (type and name); their
//! attributes are [`Expr`] references that other blocks consume.

use std::fmt;
use std::panic::Location;

use indexmap::IndexMap;

use super::expr::{Expr, Ref};
use super::types::Type;
use super::value::{Node, Value};

/// Where in the program a block was declared, for error messages.
pub type SourceLocation = &'static Location<'static>;

/// The address of a block in the synthesized configuration.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Address {
    /// `aws_vpc.main`
    Resource {
        /// Resource type.
        ty: String,
        /// Block name.
        name: String,
    },
    /// `data.aws_ami.linux`
    Data {
        /// Data source type.
        ty: String,
        /// Block name.
        name: String,
    },
    /// `ephemeral.aws_ssm_parameter.db`
    Ephemeral {
        /// Ephemeral resource type.
        ty: String,
        /// Block name.
        name: String,
    },
    /// `var.region`
    Var(String),
    /// `local.tags`
    Local(String),
    /// `output.vpc_id`
    Output(String),
    /// `module.network`
    Module(String),
}

impl Address {
    /// The address a reference points at; `None` for `count.*` and `each.*`.
    pub fn of_ref(target: &Ref) -> Option<Address> {
        Some(match target {
            Ref::Resource { ty, name } => Address::Resource {
                ty: ty.clone(),
                name: name.clone(),
            },
            Ref::Data { ty, name } => Address::Data {
                ty: ty.clone(),
                name: name.clone(),
            },
            Ref::Ephemeral { ty, name } => Address::Ephemeral {
                ty: ty.clone(),
                name: name.clone(),
            },
            Ref::Var(name) => Address::Var(name.clone()),
            Ref::Local(name) => Address::Local(name.clone()),
            Ref::Module(name) => Address::Module(name.clone()),
            Ref::CountIndex
            | Ref::EachKey
            | Ref::EachValue
            | Ref::SelfObject
            | Ref::Name(_)
            | Ref::PathModule
            | Ref::PathRoot
            | Ref::PathCwd
            | Ref::Workspace => return None,
        })
    }

    /// The reference to this block, `None` for an output.
    pub fn to_ref(&self) -> Option<Ref> {
        Some(match self.clone() {
            Address::Resource { ty, name } => Ref::Resource { ty, name },
            Address::Data { ty, name } => Ref::Data { ty, name },
            Address::Ephemeral { ty, name } => Ref::Ephemeral { ty, name },
            Address::Var(name) => Ref::Var(name),
            Address::Local(name) => Ref::Local(name),
            Address::Module(name) => Ref::Module(name),
            Address::Output(_) => return None,
        })
    }

    /// A resource address, `aws_vpc.main`, for blocks no longer declared
    /// (the old address of a `moved` block, a `removed` block's).
    pub fn resource(ty: impl Into<String>, name: impl Into<String>) -> Address {
        Address::Resource {
            ty: ty.into(),
            name: name.into(),
        }
    }

    /// What kind of block this is, in words, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Address::Resource { .. } => "resource",
            Address::Data { .. } => "data source",
            Address::Ephemeral { .. } => "ephemeral resource",
            Address::Var(_) => "variable",
            Address::Local(_) => "local value",
            Address::Output(_) => "output",
            Address::Module(_) => "module",
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Resource { ty, name } => write!(f, "{ty}.{name}"),
            Address::Data { ty, name } => write!(f, "data.{ty}.{name}"),
            Address::Ephemeral { ty, name } => write!(f, "ephemeral.{ty}.{name}"),
            Address::Var(name) => write!(f, "var.{name}"),
            Address::Local(name) => write!(f, "local.{name}"),
            Address::Output(name) => write!(f, "output.{name}"),
            Address::Module(name) => write!(f, "module.{name}"),
        }
    }
}

/// Something another block can declare a hidden dependency on:
/// a resource or a data source handle (typed handles included).
pub trait Dependable {
    /// The address `depends_on` names.
    fn dependency_address(&self) -> Address;

    /// The stack the block was added to, for a handle that knows it.
    fn dependency_stack(&self) -> Option<&str> {
        None
    }
}

/// A declared hidden dependency: an ordering that no reference implies.
#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    /// The block that must exist first.
    pub target: Address,
    /// Why the ordering is needed; written next to `depends_on` in the output.
    pub reason: String,
    /// The stack of the handle it was declared with, if it knows one.
    pub stack: Option<String>,
}

impl Dependency {
    /// A dependency on `target`, with its reason.
    pub fn on(target: &(impl Dependable + ?Sized), reason: impl Into<String>) -> Dependency {
        Dependency {
            target: target.dependency_address(),
            reason: reason.into(),
            stack: target.dependency_stack().map(str::to_owned),
        }
    }
}

/// What `lifecycle.ignore_changes` covers.
#[derive(Clone, Debug, PartialEq)]
pub enum IgnoreChanges {
    /// The listed attributes (paths such as `tags` or `tags["Name"]`).
    Attributes(Vec<String>),
    /// `all`: ignore every attribute after creation.
    All,
}

/// A custom condition: `condition` must hold, else Terraform stops with
/// `error_message` (preconditions, postconditions, check assertions).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The condition; it must refer to something else in the configuration.
    pub condition: Expr,
    /// The message when it does not hold.
    pub error_message: String,
}

impl Condition {
    /// A condition with its message.
    pub fn new(condition: impl Into<Expr>, error_message: impl Into<String>) -> Condition {
        Condition {
            condition: condition.into(),
            error_message: error_message.into(),
        }
    }
}

/// The `lifecycle` meta-argument block. Data sources and ephemeral
/// resources take only its preconditions and postconditions.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Lifecycle {
    /// Create the replacement before destroying the old object.
    pub create_before_destroy: bool,
    /// Make any plan that would destroy the object fail.
    pub prevent_destroy: bool,
    /// Attributes whose drift Terraform ignores.
    pub ignore_changes: Option<IgnoreChanges>,
    /// Replace the object when any of these references change.
    pub replace_triggered_by: Vec<Expr>,
    /// Conditions checked before the object is planned.
    pub preconditions: Vec<Condition>,
    /// Conditions checked after it is planned or applied; they may use `self`.
    pub postconditions: Vec<Condition>,
}

impl Lifecycle {
    /// An empty lifecycle block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the object whenever `target` is replaced.
    pub fn replace_triggered_by(mut self, target: &impl Dependable) -> Self {
        if let Some(r) = target.dependency_address().to_ref() {
            self.replace_triggered_by.push(Expr::Ref(r));
        }
        self
    }

    /// Replaces the object whenever this attribute of another resource
    /// changes (`vpc.attr("cidr_block")`, or a typed getter).
    pub fn replace_triggered_by_attr(mut self, reference: impl Into<Expr>) -> Self {
        self.replace_triggered_by.push(reference.into());
        self
    }

    /// Adds a precondition.
    pub fn precondition(
        mut self,
        condition: impl Into<Expr>,
        error_message: impl Into<String>,
    ) -> Self {
        self.preconditions
            .push(Condition::new(condition, error_message));
        self
    }

    /// Adds a postcondition; [`Expr::self_attr`] refers to the object itself.
    pub fn postcondition(
        mut self,
        condition: impl Into<Expr>,
        error_message: impl Into<String>,
    ) -> Self {
        self.postconditions
            .push(Condition::new(condition, error_message));
        self
    }

    /// Sets `create_before_destroy = true`.
    pub fn create_before_destroy(mut self) -> Self {
        self.create_before_destroy = true;
        self
    }

    /// Sets `prevent_destroy = true`.
    pub fn prevent_destroy(mut self) -> Self {
        self.prevent_destroy = true;
        self
    }

    /// Ignores later changes to the listed attributes.
    pub fn ignore_changes<S: Into<String>>(mut self, attrs: impl IntoIterator<Item = S>) -> Self {
        self.ignore_changes = Some(IgnoreChanges::Attributes(
            attrs.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Ignores later changes to every attribute.
    pub fn ignore_all_changes(mut self) -> Self {
        self.ignore_changes = Some(IgnoreChanges::All);
        self
    }
}

/// Meta-arguments shared by resources and data sources.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    /// `count`: a number or an expression.
    pub count: Option<Node>,
    /// `for_each`: a map, a set of strings, or an expression.
    pub for_each: Option<Node>,
    /// `provider`: an aliased provider configuration, `aws.west`.
    pub provider: Option<ProviderRef>,
    /// Hidden dependencies, each with its reason.
    pub depends_on: Vec<Dependency>,
    /// `lifecycle` (resources only).
    pub lifecycle: Option<Lifecycle>,
    /// Policy rules this block waives, each with the written reason.
    pub waivers: IndexMap<String, String>,
}

/// The iterator of a `dynamic` block: the current element's key and value.
#[derive(Clone, Debug)]
pub struct BlockIter {
    name: String,
}

impl BlockIter {
    /// The iterator called `name`.
    pub fn new(name: impl Into<String>) -> BlockIter {
        BlockIter { name: name.into() }
    }

    /// `<iterator>.value`: the current element.
    pub fn value(&self) -> Expr {
        Expr::Ref(Ref::Name(self.name.clone())).attr("value")
    }

    /// `<iterator>.key`: the current element's key or index.
    pub fn key(&self) -> Expr {
        Expr::Ref(Ref::Name(self.name.clone())).attr("key")
    }
}

macro_rules! block_builder {
    ($builder:ident, $handle:ident, $kind:literal, $ref_variant:ident) => {
        /// A
        #[doc = $kind]
        /// block under construction: its type, name, body and meta-arguments.
        #[derive(Clone, Debug, PartialEq)]
        pub struct $builder {
            pub(crate) ty: String,
            pub(crate) name: String,
            pub(crate) body: IndexMap<String, Node>,
            pub(crate) meta: Meta,
            pub(crate) at: SourceLocation,
            pub(crate) bad_paths: Vec<String>,
            /// Nested blocks that cannot be written as given: (type, why).
            pub(crate) bad_blocks: Vec<(String, String)>,
        }

        impl $builder {
            /// Starts a block of type `ty` (e.g. `aws_vpc`) named `name`.
            #[track_caller]
            pub fn new(ty: impl Into<String>, name: impl Into<String>) -> Self {
                $builder {
                    ty: ty.into(),
                    name: name.into(),
                    body: IndexMap::new(),
                    meta: Meta::default(),
                    at: Location::caller(),
                    bad_paths: Vec::new(),
                    bad_blocks: Vec::new(),
                }
            }

            /// The block type.
            pub fn ty(&self) -> &str {
                &self.ty
            }

            /// The block name.
            pub fn name(&self) -> &str {
                &self.name
            }

            /// Sets an argument, or a nested block given as a map node.
            pub fn set(mut self, key: impl Into<String>, value: impl Into<Node>) -> Self {
                self.body.insert(key.into(), value.into());
                self
            }

            /// Sets an argument in place; see [`Self::set`].
            pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Node>) {
                self.body.insert(key.into(), value.into());
            }

            /// Sets an argument or a single nested block in place; the
            /// non-generic form that generated bindings call.
            pub fn put(&mut self, key: &str, value: Node) {
                self.body.insert(key.to_owned(), value);
            }

            /// Appends a repeated nested block in place (non-generic).
            pub fn push_node(&mut self, key: &str, block: Node) {
                match super::value::block_body(block) {
                    Ok(block) => super::value::push_into(&mut self.body, key, block),
                    Err(given) => self
                        .bad_blocks
                        .push((key.to_owned(), super::value::not_a_body(given))),
                }
            }

            /// Adds a nested block of a map-mode block type in place (non-generic).
            pub fn put_keyed(&mut self, key: &str, label: String, block: Node) {
                match super::value::block_body(block) {
                    Ok(block) => super::value::insert_keyed_into(&mut self.body, key, label, block),
                    Err(given) => self
                        .bad_blocks
                        .push((key.to_owned(), super::value::not_a_body(given))),
                }
            }

            /// Appends a nested block (for block types that repeat, such as
            /// `ingress`), keeping earlier ones.
            pub fn push_block(mut self, key: &str, body: impl Into<Node>) -> Self {
                self.push(key, body);
                self
            }

            /// Appends a nested block in place; see [`Self::push_block`].
            pub fn push(&mut self, key: &str, body: impl Into<Node>) {
                self.push_node(key, body.into());
            }

            /// Adds a nested block of a map-mode block type under `label`, in place.
            pub fn insert_keyed(
                &mut self,
                key: &str,
                label: impl Into<String>,
                body: impl Into<Node>,
            ) {
                self.put_keyed(key, label.into(), body.into());
            }

            /// `dynamic "<block_type>"`: one nested block per element of
            /// `for_each`, each made by `content` from the iterator, which is
            /// named after the block type (`ingress.value`, `ingress.key`).
            pub fn dynamic<C: Into<Node>>(
                self,
                block_type: &str,
                for_each: impl Into<Node>,
                content: impl FnOnce(BlockIter) -> C,
            ) -> Self {
                self.dynamic_as(block_type, block_type, for_each, content)
            }

            /// [`Self::dynamic`] with the iterator named `iterator` (`rule.value`).
            pub fn dynamic_as<C: Into<Node>>(
                mut self,
                block_type: &str,
                iterator: &str,
                for_each: impl Into<Node>,
                content: impl FnOnce(BlockIter) -> C,
            ) -> Self {
                let body = content(BlockIter::new(iterator)).into();
                self.put_dynamic(block_type, iterator, for_each.into(), body);
                self
            }

            /// Adds a dynamic block in place (non-generic); see [`Self::dynamic`].
            pub fn put_dynamic(
                &mut self,
                block_type: &str,
                iterator: &str,
                for_each: Node,
                content: Node,
            ) {
                let key = format!("dynamic {block_type}");
                if !super::stack::is_identifier(iterator) {
                    self.bad_blocks.push((
                        key,
                        format!("has the iterator name {iterator:?}, which is not an identifier"),
                    ));
                    return;
                }
                match super::value::block_body(content) {
                    Ok(content) => super::value::insert_dynamic(
                        &mut self.body,
                        block_type,
                        (iterator != block_type).then_some(iterator),
                        for_each,
                        content,
                    ),
                    Err(given) => self.bad_blocks.push((key, super::value::not_a_body(given))),
                }
            }

            /// Escape hatch: sets any attribute by a dotted path
            /// (`"metadata_options.http_tokens"`), creating nested maps on the way.
            /// A path that runs into a non-map value is reported at synthesis.
            pub fn set_path(mut self, path: &str, value: impl Into<Node>) -> Self {
                self.set_path_mut(path, value.into());
                self
            }

            /// In-place [`Self::set_path`].
            pub(crate) fn set_path_mut(&mut self, path: &str, value: Node) {
                let parts: Vec<&str> = path.split('.').collect();
                let mut root = Node::Map(std::mem::take(&mut self.body));
                if parts.iter().any(|p| p.is_empty()) || !root.set_path(&parts, value) {
                    self.bad_paths.push(path.to_owned());
                }
                if let Node::Map(body) = root {
                    self.body = body;
                }
            }

            /// The body as set so far.
            pub fn body(&self) -> &IndexMap<String, Node> {
                &self.body
            }

            /// `count`: create this many instances.
            pub fn count(mut self, count: impl Into<Node>) -> Self {
                self.meta.count = Some(count.into());
                self
            }

            /// `for_each`: one instance per element of a map or set.
            pub fn for_each(mut self, items: impl Into<Node>) -> Self {
                self.meta.for_each = Some(items.into());
                self
            }

            /// `provider`: use an aliased provider configuration.
            pub fn provider(mut self, provider: &ProviderRef) -> Self {
                self.meta.provider = Some(provider.clone());
                self
            }

            /// Declares a hidden dependency: an ordering that no reference
            /// implies but the cloud API needs. The reason is required and
            /// written into the output; an edge that references already imply
            /// is dropped at synthesis.
            pub fn depends_on(
                mut self,
                target: &impl Dependable,
                reason: impl Into<String>,
            ) -> Self {
                self.meta.depends_on.push(Dependency::on(target, reason));
                self
            }

            /// Waives a policy rule for this block, with the reason a
            /// reviewer would accept; `tfsynth validate` prints it.
            pub fn waive(mut self, rule: impl Into<String>, reason: impl Into<String>) -> Self {
                self.meta.waivers.insert(rule.into(), reason.into());
                self
            }

            /// `lifecycle`: creation and destruction behaviour, and custom
            /// conditions (data sources and ephemeral resources take only
            /// the conditions).
            pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
                self.meta.lifecycle = Some(lifecycle);
                self
            }

            /// The meta-arguments as set so far.
            pub fn meta(&self) -> &Meta {
                &self.meta
            }
        }

        /// A handle to a
        #[doc = $kind]
        /// added to a stack; its attributes are reference expressions.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $handle {
            ty: String,
            name: String,
            stack: Option<std::sync::Arc<str>>,
        }

        impl $handle {
            /// A handle for a block of type `ty` named `name`, in whichever
            /// stack uses it.
            pub fn new(ty: impl Into<String>, name: impl Into<String>) -> Self {
                $handle {
                    ty: ty.into(),
                    name: name.into(),
                    stack: None,
                }
            }

            /// The handle of the block in stack `stack`: used in any other
            /// stack, synthesis refuses it.
            pub fn in_stack(mut self, stack: &str) -> Self {
                self.stack = Some(stack.into());
                self
            }

            /// The stack the handle's block was added to, if it was.
            pub fn stack(&self) -> Option<&str> {
                self.stack.as_deref()
            }

            /// The block type.
            pub fn ty(&self) -> &str {
                &self.ty
            }

            /// The block name.
            pub fn name(&self) -> &str {
                &self.name
            }

            /// The reference to the whole block, e.g. for `[*]` splats.
            pub fn expr(&self) -> Expr {
                let target = Expr::Ref(Ref::$ref_variant {
                    ty: self.ty.clone(),
                    name: self.name.clone(),
                });
                match &self.stack {
                    Some(stack) => Expr::Of(stack.clone(), Box::new(target)),
                    None => target,
                }
            }

            /// A reference to one of the block's attributes.
            pub fn attr(&self, name: &str) -> Expr {
                self.expr().attr(name)
            }

            /// A typed reference to one of the block's attributes.
            pub fn get<T>(&self, name: &str) -> Value<T> {
                Value::from(self.attr(name))
            }
        }

        impl Dependable for $handle {
            fn dependency_address(&self) -> Address {
                Address::$ref_variant {
                    ty: self.ty.clone(),
                    name: self.name.clone(),
                }
            }

            fn dependency_stack(&self) -> Option<&str> {
                self.stack.as_deref()
            }
        }

        impl fmt::Display for $handle {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.dependency_address().fmt(f)
            }
        }
    };
}

block_builder!(Resource, ResourceRef, "resource", Resource);
block_builder!(DataSource, DataRef, "data source", Data);
block_builder!(
    EphemeralResource,
    EphemeralRef,
    "ephemeral resource",
    Ephemeral
);

/// An input variable declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub(crate) name: String,
    pub(crate) ty: Option<Type>,
    pub(crate) default: Option<Node>,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) nullable: Option<bool>,
    pub(crate) validations: Vec<(Expr, String)>,
    pub(crate) at: SourceLocation,
}

impl Variable {
    /// Declares a variable named `name`.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        Variable {
            name: name.into(),
            ty: None,
            default: None,
            description: None,
            sensitive: false,
            nullable: None,
            validations: Vec::new(),
            at: Location::caller(),
        }
    }

    /// The type constraint.
    pub fn ty(mut self, ty: Type) -> Self {
        self.ty = Some(ty);
        self
    }

    /// The default value; without one the variable is required.
    pub fn default(mut self, value: impl Into<Node>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// The description shown by Terraform.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Marks the value sensitive: Terraform redacts it in plans and output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Whether `null` is an acceptable value.
    pub fn nullable(mut self, nullable: bool) -> Self {
        self.nullable = Some(nullable);
        self
    }

    /// Adds a validation rule: `condition` must hold, else `error_message`.
    pub fn validation(
        mut self,
        condition: impl Into<Expr>,
        error_message: impl Into<String>,
    ) -> Self {
        self.validations
            .push((condition.into(), error_message.into()));
        self
    }
}

/// A handle to a declared variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableRef {
    name: String,
}

impl VariableRef {
    /// A handle for the variable `name`.
    pub fn new(name: impl Into<String>) -> Self {
        VariableRef { name: name.into() }
    }

    /// The reference `var.<name>`.
    pub fn expr(&self) -> Expr {
        Expr::Ref(Ref::Var(self.name.clone()))
    }
}

impl From<&VariableRef> for Expr {
    fn from(var: &VariableRef) -> Self {
        var.expr()
    }
}

impl From<&VariableRef> for Node {
    fn from(var: &VariableRef) -> Self {
        Node::from(var.expr())
    }
}

/// An output value declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub(crate) name: String,
    pub(crate) value: Node,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) depends_on: Vec<Dependency>,
    pub(crate) preconditions: Vec<Condition>,
    pub(crate) at: SourceLocation,
}

impl Output {
    /// Declares the output `name` with its value.
    #[track_caller]
    pub fn new(name: impl Into<String>, value: impl Into<Node>) -> Self {
        Output {
            name: name.into(),
            value: value.into(),
            description: None,
            sensitive: false,
            depends_on: Vec::new(),
            preconditions: Vec::new(),
            at: Location::caller(),
        }
    }

    /// The description shown by Terraform.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// A condition checked before the output is recorded.
    pub fn precondition(
        mut self,
        condition: impl Into<Expr>,
        error_message: impl Into<String>,
    ) -> Self {
        self.preconditions
            .push(Condition::new(condition, error_message));
        self
    }

    /// Marks the output sensitive: Terraform redacts it.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Declares a hidden dependency of the output, with its reason.
    pub fn depends_on(mut self, target: &impl Dependable, reason: impl Into<String>) -> Self {
        self.depends_on.push(Dependency::on(target, reason));
        self
    }
}

/// A provider configuration, `provider "aws" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Provider {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
    pub(crate) body: IndexMap<String, Node>,
    pub(crate) at: SourceLocation,
}

impl Provider {
    /// Configures the provider `name` (the local name, e.g. `aws`).
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        Provider {
            name: name.into(),
            alias: None,
            body: IndexMap::new(),
            at: Location::caller(),
        }
    }

    /// Makes this an additional, aliased configuration.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Sets a provider argument or nested block.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Node>) -> Self {
        self.body.insert(key.into(), value.into());
        self
    }

    /// Tags applied to every taggable resource (`default_tags { tags = ... }`).
    pub fn default_tags<K: Into<String>, V: Into<Node>>(
        self,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.set("default_tags", Node::map_of([("tags", Node::map_of(tags))]))
    }
}

/// A handle to a provider configuration, for the `provider` meta-argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRef {
    name: String,
    alias: Option<String>,
}

impl ProviderRef {
    /// A handle for the provider `name`, optionally aliased.
    pub fn new(name: impl Into<String>, alias: Option<String>) -> Self {
        ProviderRef {
            name: name.into(),
            alias,
        }
    }

    /// The provider's local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The alias, if any.
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }
}

impl fmt::Display for ProviderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.alias {
            Some(alias) => write!(f, "{}.{alias}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_render_references() {
        let vpc = ResourceRef::new("aws_vpc", "main");
        assert_eq!(vpc.attr("id").to_hcl(), "aws_vpc.main.id");
        assert_eq!(vpc.to_string(), "aws_vpc.main");
        let ami = DataRef::new("aws_ami", "linux");
        assert_eq!(ami.attr("id").to_hcl(), "data.aws_ami.linux.id");
        assert_eq!(ami.to_string(), "data.aws_ami.linux");
        assert_eq!(VariableRef::new("r").expr().to_hcl(), "var.r");
        assert_eq!(
            ProviderRef::new("aws", Some("west".into())).to_string(),
            "aws.west"
        );
    }

    #[test]
    fn set_path_and_push_block() {
        let r = Resource::new("aws_launch_template", "lt")
            .set_path("metadata_options.http_tokens", "required")
            .set_path("metadata_options.http_endpoint", "enabled")
            .push_block("ingress", Node::map_of([("from_port", 80)]))
            .push_block("ingress", Node::map_of([("from_port", 443)]));
        assert_eq!(
            r.body()["metadata_options"],
            Node::map_of([("http_tokens", "required"), ("http_endpoint", "enabled")])
        );
        let Node::List(ingress) = &r.body()["ingress"] else {
            panic!("ingress is a list")
        };
        assert_eq!(ingress.len(), 2);
        assert!(r.bad_paths.is_empty());

        let bad = Resource::new("aws_x", "y")
            .set("a", 1)
            .set_path("a.b", 2)
            .set_path("c..d", 3);
        assert_eq!(bad.bad_paths, ["a.b", "c..d"]);
        assert_eq!(bad.body()["a"], Node::from(1), "the existing value is kept");
    }
}
