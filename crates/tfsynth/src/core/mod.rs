//! The engine: stacks of typed blocks, expressions and references, and the
//! deterministic synthesis of Terraform JSON.
//!
//! **Invariant:** nothing in `core` touches the file system or spawns a
//! process; it turns a [`Stack`] into a string.

pub mod block;
pub mod deps;
pub mod error;
pub mod expr;
pub mod func;
pub mod module;
pub mod refactor;
pub mod remote;
pub mod stack;
pub mod synth;
pub mod terraform;
pub mod typed;
pub mod types;
pub mod value;

pub use block::{
    Address, BlockIter, Condition, DataRef, DataSource, Dependable, Dependency, EphemeralRef,
    EphemeralResource, IgnoreChanges, Lifecycle, Output, Provider, ProviderRef, Resource,
    ResourceRef, Variable, VariableRef,
};
pub use error::{Problem, SynthError};
pub use expr::{BinOp, Bound, Expr, For, ForExpr, Part, Ref, UnOp};
pub use module::{Module, ModuleRef};
pub use refactor::{Check, Import, Moved, Removed};
pub use remote::StackOutput;
pub use stack::{Declare, DroppedDependency, META_ARGUMENTS, Stack, Synthesized, is_identifier};
pub use terraform::{Backend, CloudBackend, RequiredProvider, S3Backend, TerraformSettings};
pub use typed::{Body, BodyBlock, DataBlock, EphemeralBlock, ResourceBlock};
pub use types::Type;
pub use value::{Node, Number, Value};
