//! Typical creation times per resource type, for apply-time estimates.
//!
//! The figures come from the provider's knowledge (an [`App`](crate::App)
//! is given a table, e.g. `tfsynth_modules::durations::AWS`); types not in
//! it take [`DEFAULT_SECONDS`]. A file can override any of them, as
//! `type = seconds` lines.

use std::collections::BTreeMap;
use std::path::Path;

use super::{GraphError, Vertex};

/// Seconds for types not in the table.
pub const DEFAULT_SECONDS: f64 = 2.0;

/// The longest creation time a table may give: a year.
pub const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// Seconds for reading a data source.
pub const DATA_SECONDS: f64 = 1.0;

/// Estimated creation time per resource type.
#[derive(Clone, Debug)]
pub struct Durations {
    seconds: BTreeMap<String, f64>,
}

impl Default for Durations {
    fn default() -> Self {
        Durations::from_table(&[])
    }
}

impl Durations {
    /// A table of (type, seconds).
    pub fn from_table(table: &[(&str, f64)]) -> Durations {
        Durations {
            seconds: table.iter().map(|(ty, s)| ((*ty).to_owned(), *s)).collect(),
        }
    }

    /// This table with the overrides of `path` (`type = seconds` lines, TOML).
    pub fn with_overrides(mut self, path: &Path) -> Result<Durations, GraphError> {
        let bad = |reason: String| GraphError::Durations {
            path: path.to_owned(),
            reason,
        };
        let text = crate::fsio::read_bounded(path).map_err(|e| bad(e.to_string()))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad(e.message().to_owned()))?;
        for (ty, value) in table {
            let seconds = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                // A year is far beyond any creation time; more would saturate the estimate.
                .filter(|s| s.is_finite() && (0.0..=MAX_SECONDS).contains(s))
                .ok_or_else(|| {
                    bad(format!(
                        "{ty}: expected a number of seconds from 0 to {MAX_SECONDS}"
                    ))
                })?;
            self.seconds.insert(ty, seconds);
        }
        Ok(self)
    }

    /// The estimate for one block.
    pub fn of(&self, node: &Vertex) -> f64 {
        if node.data {
            return self
                .seconds
                .get(&format!("data.{}", node.ty))
                .copied()
                .unwrap_or(DATA_SECONDS);
        }
        self.seconds
            .get(&node.ty)
            .copied()
            .unwrap_or(DEFAULT_SECONDS)
    }
}
