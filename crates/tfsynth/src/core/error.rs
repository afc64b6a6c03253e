//! Problems found while building or synthesizing a stack.
//!
//! Building a stack never fails half-way: every problem is recorded and
//! synthesis reports them all together, each naming the block and, where it
//! helps, the place in the program that declared it.

use std::fmt;

use super::block::{Address, SourceLocation};

/// One problem in a stack definition.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    /// Two blocks with the same address.
    #[error(
        "duplicate {kind} {address}: declared at {first} and again at {second} (hint: give one of them another name or module prefix)"
    )]
    Duplicate {
        /// What kind of block.
        kind: &'static str,
        /// The address both declare.
        address: String,
        /// The first declaration.
        first: String,
        /// The second declaration.
        second: String,
    },
    /// A block, variable or output name that Terraform would reject.
    #[error(
        "invalid {what} {name:?} at {at}: a name starts with a letter or underscore and contains only letters, digits, underscores and hyphens"
    )]
    InvalidName {
        /// What was named (`resource name`, `resource type`, ...).
        what: &'static str,
        /// The name as given.
        name: String,
        /// Where it was declared.
        at: String,
    },
    /// A reference to a block that the stack does not declare.
    #[error(
        "{from} references {to}, which is not declared in this stack (hint: add the {kind} to the stack, or use a handle from this stack)"
    )]
    UndeclaredReference {
        /// The referring block.
        from: Address,
        /// The missing target.
        to: Address,
        /// The target's kind, in words.
        kind: &'static str,
    },
    /// A reference through a handle of another stack: the same address in
    /// this stack would be another block, so it is never bound to one.
    #[error(
        "{from} references {to} through a handle of stack {stack}, and a handle names a block of its own stack only (hint: export the value from {stack} with a StackOutput and read it here with stack.remote(..))"
    )]
    ForeignReference {
        /// The referring block.
        from: Address,
        /// The block the handle names in its own stack.
        to: Address,
        /// The handle's stack.
        stack: String,
    },
    /// A `depends_on` on a block that the stack does not declare.
    #[error(
        "{from} depends on {to}, which is not declared in this stack (hint: add the {kind} to the stack, or drop the dependency)"
    )]
    UndeclaredDependency {
        /// The dependent block.
        from: Address,
        /// The missing target.
        to: Address,
        /// The target's kind, in words.
        kind: &'static str,
    },
    /// A reference to an aliased provider configuration that is not declared.
    #[error(
        "{from} uses provider {provider}, which is not configured in this stack (hint: add Provider::new(..).alias(..))"
    )]
    UndeclaredProvider {
        /// The block using the provider.
        from: Address,
        /// The provider reference, `aws.west`.
        provider: String,
    },
    /// Blocks that depend on each other in a circle.
    #[error("dependency cycle: {} (hint: remove one reference or depends_on on this cycle)", path.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
    Cycle {
        /// The blocks on the cycle, the first repeated at the end.
        path: Vec<Address>,
    },
    /// A number that JSON cannot hold (NaN or infinite).
    #[error(
        "{address}: {path} is not a finite number (hint: NaN and infinities cannot be written to Terraform JSON)"
    )]
    NonFiniteNumber {
        /// The block holding it.
        address: String,
        /// The attribute path.
        path: String,
    },
    /// A nested block that cannot be written as given.
    #[error("{address}: nested block {key:?} {why}")]
    BadBlock {
        /// The block holding it.
        address: String,
        /// The nested block's type.
        key: String,
        /// What is wrong.
        why: String,
    },
    /// An attribute path that ran into a non-map value.
    #[error(
        "{address}: cannot set {path:?}: a path segment is empty or an earlier segment already holds a value that is not a block (hint: set the parent as a map)"
    )]
    BadPath {
        /// The block.
        address: String,
        /// The path as given.
        path: String,
    },
    /// A backend with a required field left empty.
    #[error(
        "{backend} backend: required field {field} is empty (hint: set it in the stack's backend configuration)"
    )]
    BackendField {
        /// The backend kind.
        backend: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// Template text where Terraform reads only literal text.
    #[error(
        "terraform.{setting}: holds `${{` or `%{{`, but Terraform reads the terraform block literally, with no templates or escapes (hint: remove the sequence; a state key or path with it would land elsewhere)"
    )]
    LiteralOnly {
        /// The setting, `backend.s3.key`.
        setting: String,
    },
    /// A `lifecycle.ignore_changes` entry that is not an attribute path.
    #[error(
        "{address}: lifecycle.ignore_changes entry {entry:?} is not an attribute path (hint: name an attribute such as \"tags\")"
    )]
    BadIgnoreChanges {
        /// The block.
        address: String,
        /// The offending entry.
        entry: String,
    },
    /// A dependency declared without saying why.
    #[error(
        "{from}: depends_on {to} has no reason (hint: say which ordering the cloud API needs that no reference implies)"
    )]
    MissingReason {
        /// The dependent block.
        from: Address,
        /// The target.
        to: Address,
    },
    /// A problem a module reported about its own inputs.
    #[error("{0}")]
    Custom(String),
}

/// Synthesis of a stack failed; every problem found is listed.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthError {
    /// The stack's name.
    pub stack: String,
    /// Everything that is wrong, in declaration order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "stack {}: {problem}", self.stack)?;
        }
        Ok(())
    }
}

impl std::error::Error for SynthError {}

/// Formats a source location as `file:line:column`.
pub(crate) fn location(at: SourceLocation) -> String {
    format!("{}:{}:{}", at.file(), at.line(), at.column())
}
