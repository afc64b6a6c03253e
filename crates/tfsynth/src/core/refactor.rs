//! Blocks that act at plan time on what the state holds, and checks:
//! `moved` (a block was renamed: move its state instead of replacing it),
//! `import` (adopt an existing object), `removed` (stop managing an object,
//! optionally without destroying it) and `check` (assertions about the
//! infrastructure that warn without stopping a run).
//!
//! Addresses are typed: the new side of a `moved` block and the target of an
//! `import` are handles of declared blocks; only addresses that are no
//! longer declared (the old side of a move, what was removed) are written as
//! [`Address`] values.

use std::panic::Location;

use super::block::{Address, Condition, Dependable, ProviderRef, SourceLocation};
use super::expr::Expr;
use super::stack::{Declare, Stack};
use super::value::{Node, Value};

/// `moved { from = ..., to = ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Moved {
    pub(crate) from: Address,
    pub(crate) to: Address,
    pub(crate) at: SourceLocation,
}

impl Moved {
    /// The block now declared as `to` was declared at the address `from`.
    #[track_caller]
    pub fn new(from: Address, to: &impl Dependable) -> Moved {
        Moved {
            from,
            to: to.dependency_address(),
            at: Location::caller(),
        }
    }
}

/// `import { to = ..., id = ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub(crate) to: Address,
    pub(crate) id: Node,
    pub(crate) provider: Option<ProviderRef>,
    pub(crate) at: SourceLocation,
}

impl Import {
    /// Adopts the existing object `id` (its import id, as the provider's
    /// documentation gives it) as the declared block `to`.
    #[track_caller]
    pub fn new(to: &impl Dependable, id: impl Into<Value<String>>) -> Import {
        Import {
            to: to.dependency_address(),
            id: id.into().into_node(),
            provider: None,
            at: Location::caller(),
        }
    }

    /// Imports through an aliased provider configuration.
    pub fn provider(mut self, provider: &ProviderRef) -> Import {
        self.provider = Some(provider.clone());
        self
    }
}

/// `removed { from = ... lifecycle { destroy = ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Removed {
    pub(crate) from: Address,
    pub(crate) destroy: bool,
    pub(crate) at: SourceLocation,
}

impl Removed {
    /// Stops managing the object at `from` and leaves it running.
    #[track_caller]
    pub fn forget(from: Address) -> Removed {
        Removed {
            from,
            destroy: false,
            at: Location::caller(),
        }
    }

    /// Removes the block at `from` and destroys its object, saying so.
    #[track_caller]
    pub fn destroy(from: Address) -> Removed {
        Removed {
            from,
            destroy: true,
            at: Location::caller(),
        }
    }
}

/// `check "name" { data ... assert { ... } }`: assertions Terraform reports
/// as warnings on every plan and apply, with data sources of their own.
#[derive(Debug)]
pub struct Check {
    pub(crate) name: String,
    pub(crate) scope: Stack,
    pub(crate) asserts: Vec<Condition>,
    pub(crate) at: SourceLocation,
}

impl Check {
    /// A check named `name`.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Check {
        let name = name.into();
        Check {
            scope: Stack::new(format!("check.{name}")),
            name,
            asserts: Vec::new(),
            at: Location::caller(),
        }
    }

    /// Adds a data source that only this check reads (a failing read is a
    /// warning too); returns its handle for the assertions.
    pub fn data<B: Declare>(&mut self, block: B) -> B::Handle {
        block.declare(&mut self.scope)
    }

    /// Adds an assertion: `condition` must hold, else Terraform warns with `error_message`.
    pub fn assert(mut self, condition: impl Into<Expr>, error_message: impl Into<String>) -> Check {
        self.asserts.push(Condition::new(condition, error_message));
        self
    }
}

impl Declare for Moved {
    type Handle = ();

    fn declare(self, stack: &mut Stack) {
        stack.moved.push(self);
    }
}

impl Declare for Import {
    type Handle = ();

    fn declare(self, stack: &mut Stack) {
        stack.imports.push(self);
    }
}

impl Declare for Removed {
    type Handle = ();

    fn declare(self, stack: &mut Stack) {
        stack.removed.push(self);
    }
}

impl Declare for Check {
    type Handle = ();

    fn declare(self, stack: &mut Stack) {
        stack.add_check(self);
    }
}
