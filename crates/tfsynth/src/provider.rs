//! Provider schemas as provider crates embed them: the committed JSON Lines
//! text ([`tfsynth_schema::jsonl`]) and an index of where each entry is, so
//! that validation parses only the types a configuration uses.
//!
//! A generated provider crate exports one [`ProviderSchemaSource`] (for
//! AWS, `tfsynth_aws::PROVIDER`); an [`App`](crate::App) validates with the
//! sources it is given.

pub use tfsynth_schema::jsonl::Kind;

/// Where one entry of a schema text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// What the entry describes.
    pub kind: Kind,
    /// The type or function name.
    pub name: &'static str,
    /// Byte offset where the entry's schema object starts.
    pub start: u32,
    /// Byte offset where it ends.
    pub end: u32,
}

impl IndexEntry {
    /// An index entry (generated code builds the index with this).
    pub const fn new(kind: Kind, name: &'static str, start: u32, end: u32) -> IndexEntry {
        IndexEntry {
            kind,
            name,
            start,
            end,
        }
    }
}

/// One provider's schema, embedded.
#[derive(Debug)]
pub struct ProviderSchemaSource {
    /// The local name configurations use, `aws`.
    pub local_name: &'static str,
    /// The source address, `registry.terraform.io/hashicorp/aws`.
    pub source: &'static str,
    /// The provider version the schema was taken from.
    pub version: &'static str,
    /// The JSON Lines text.
    pub text: &'static str,
    /// Where each entry is; empty to have it computed from the text.
    pub index: &'static [IndexEntry],
    /// The provider's value checks ([`tfsynth_schema::checks`], the
    /// crate's `checks.jsonl`); empty when it has none.
    pub checks: &'static str,
}
