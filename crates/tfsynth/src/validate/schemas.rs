//! The provider schemas a validation run checks against: the sources an
//! [`App`](crate::App) was given plus Terraform's built-in `terraform`
//! provider (`terraform_data`, `terraform_remote_state`). Each type's schema
//! is parsed the first time a configuration uses it, so a provider of 2,000
//! types costs only what a stack touches.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use tfsynth_schema::checks::ValueCheck;
use tfsynth_schema::shapes::Shapes;
use tfsynth_schema::{Function, Schema};

use super::view::BlockView;

use crate::provider::{IndexEntry, Kind, ProviderSchemaSource};

/// Terraform's built-in provider, as `terraform providers schema -json` prints it.
static BUILTIN: ProviderSchemaSource = ProviderSchemaSource {
    local_name: "terraform",
    source: "terraform.io/builtin/terraform",
    version: "1.11",
    text: include_str!("terraform.jsonl"),
    index: &[],
    checks: "",
};

enum Parsed {
    Schema(Shapes),
    Function(Function),
}

/// One provider: its index and the entries parsed so far.
pub struct Loaded {
    source: &'static ProviderSchemaSource,
    index: Cow<'static, [IndexEntry]>,
    parsed: Vec<OnceLock<Option<Parsed>>>,
    checks: OnceLock<Result<Vec<ValueCheck>, String>>,
}

impl Loaded {
    fn new(source: &'static ProviderSchemaSource) -> Loaded {
        let index: Cow<'static, [IndexEntry]> = if source.index.is_empty() {
            // A source without a generated index is small: index it here.
            let entries = tfsynth_schema::jsonl::index(source.text)
                .map(|(_, entries)| entries)
                .unwrap_or_default();
            Cow::Owned(
                entries
                    .into_iter()
                    .map(|e| IndexEntry {
                        kind: e.kind,
                        name: static_name(source.text, &e.name),
                        start: e.range.start as u32,
                        end: e.range.end as u32,
                    })
                    .collect(),
            )
        } else {
            Cow::Borrowed(source.index)
        };
        let parsed = (0..index.len()).map(|_| OnceLock::new()).collect();
        Loaded {
            source,
            index,
            parsed,
            checks: OnceLock::new(),
        }
    }

    /// The source address.
    pub fn source(&self) -> &'static str {
        self.source.source
    }

    /// The source as people write it: `hashicorp/aws` for the public registry.
    pub fn display_source(&self) -> &'static str {
        let s = self.source.source;
        s.strip_prefix("registry.terraform.io/").unwrap_or(s)
    }

    /// The local name configurations use by default.
    pub fn local_name(&self) -> &'static str {
        self.source.local_name
    }

    fn position(&self, kind: Kind, name: &str) -> Option<usize> {
        self.index
            .binary_search_by(|e| (e.kind, e.name).cmp(&(kind, name)))
            .ok()
    }

    fn parse(&self, i: usize) -> Option<&Parsed> {
        self.parsed[i]
            .get_or_init(|| {
                let e = &self.index[i];
                let text = self.source.text.get(e.start as usize..e.end as usize)?;
                match e.kind {
                    Kind::Function => serde_json::from_str(text).ok().map(Parsed::Function),
                    // Generated crates hold shapes; a schema in full form is converted.
                    _ => serde_json::from_str::<Shapes>(text)
                        .ok()
                        .filter(Shapes::is_well_formed)
                        .or_else(|| {
                            serde_json::from_str::<Schema>(text)
                                .ok()
                                .map(|s| Shapes::of(&s.block))
                        })
                        .map(Parsed::Schema),
                }
            })
            .as_ref()
    }

    /// Whether the provider has a type or function of this kind and name.
    pub fn has(&self, kind: Kind, name: &str) -> bool {
        self.position(kind, name).is_some()
    }

    /// The schema of a type (or, with [`Kind::Provider`] and `""`, of the
    /// provider's configuration block).
    pub fn schema(&self, kind: Kind, name: &str) -> Option<BlockView<'_>> {
        match self.parse(self.position(kind, name)?)? {
            Parsed::Schema(s) => Some(BlockView::new(&s.shapes, s.root)),
            Parsed::Function(_) => None,
        }
    }

    /// A provider-defined function's signature.
    pub fn function(&self, name: &str) -> Option<&Function> {
        match self.parse(self.position(Kind::Function, name)?)? {
            Parsed::Function(f) => Some(f),
            Parsed::Schema(_) => None,
        }
    }

    /// The provider's value checks of a type, or why its `checks.jsonl`
    /// cannot be read.
    pub fn checks(&self, kind: Kind, name: &str) -> Result<Vec<&ValueCheck>, &str> {
        let all = self.checks.get_or_init(|| {
            tfsynth_schema::checks::parse(self.source.checks).map_err(|e| e.to_string())
        });
        match all {
            Ok(all) => Ok(all
                .iter()
                .filter(|c| c.kind == kind && c.type_name == name)
                .collect()),
            Err(e) => Err(e),
        }
    }

    /// The names of every entry of a kind.
    pub fn names(&self, kind: Kind) -> impl Iterator<Item = &'static str> + '_ {
        self.index
            .iter()
            .filter(move |e| e.kind == kind)
            .map(|e| e.name)
    }
}

/// The name as a slice of the static text, where it is written quoted on its line.
fn static_name(text: &'static str, name: &str) -> &'static str {
    let quoted = format!(",\"{name}\",");
    text.find(&quoted)
        .map(|at| &text[at + 2..at + 2 + name.len()])
        .unwrap_or("")
}

/// Every provider schema a run validates against.
pub struct Schemas {
    providers: Vec<Loaded>,
}

impl Schemas {
    /// The given sources plus Terraform's built-in provider.
    pub fn new(sources: &[&'static ProviderSchemaSource]) -> Schemas {
        let mut providers: Vec<Loaded> = sources.iter().map(|s| Loaded::new(s)).collect();
        providers.push(Loaded::new(&BUILTIN));
        Schemas { providers }
    }

    /// The provider behind a local name, given the configuration's
    /// `required_providers` (local name → source); `None` when no schema here
    /// has that source. `terraform` is always the built-in provider.
    pub fn provider(&self, local: &str, required: &BTreeMap<String, String>) -> Option<&Loaded> {
        let wanted = if local == "terraform" {
            BUILTIN.source.to_owned()
        } else {
            normalize_source(
                required
                    .get(local)
                    .map(String::as_str)
                    .unwrap_or(&format!("hashicorp/{local}")),
            )
        };
        self.providers
            .iter()
            .find(|p| p.source().eq_ignore_ascii_case(&wanted))
    }

    /// The sources known, for messages.
    pub fn sources(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.providers.iter().map(Loaded::source)
    }
}

/// `hashicorp/aws` → `registry.terraform.io/hashicorp/aws`.
pub fn normalize_source(source: &str) -> String {
    match source.matches('/').count() {
        1 => format!("registry.terraform.io/{source}"),
        _ => source.to_owned(),
    }
    .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_provider_is_always_there() {
        let schemas = Schemas::new(&[]);
        let tf = schemas.provider("terraform", &BTreeMap::new()).unwrap();
        assert!(tf.has(Kind::Resource, "terraform_data"));
        let remote = tf.schema(Kind::Data, "terraform_remote_state").unwrap();
        assert!(remote.attributes()["backend"].required);
        assert_eq!(remote.block_types().count(), 0);
        assert_eq!(tf.function("encode_tfvars").unwrap().parameters.len(), 1);
        assert!(schemas.provider("aws", &BTreeMap::new()).is_none());
    }

    #[test]
    fn sources_normalize() {
        assert_eq!(
            normalize_source("hashicorp/aws"),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(normalize_source("Example.com/A/B"), "example.com/a/b");
    }
}
