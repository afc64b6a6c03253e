//! A type's schema with every distinct block shape written once, as the
//! validator reads it: `{"root": 3, "shapes": [...]}`, where a nested block
//! names the shape of its body by index. The AWS provider repeats whole
//! subtrees (a WAF web ACL's schema is 2 MB of JSON, 19 KB as shapes), so
//! reading a type this way costs what its distinct shapes cost.
//! Descriptions are left out: validation does not print them.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Attribute, Block, NestingMode};

/// One distinct block shape.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Shape {
    /// Attributes by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Attribute>,
    /// Nested block types by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub block_types: BTreeMap<String, NestedShape>,
}

/// A nested block type whose body is another shape.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct NestedShape {
    /// How instances of the block are grouped.
    pub nesting_mode: NestingMode,
    /// Minimum number of blocks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_items: u64,
    /// Maximum number of blocks; 0 means no limit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_items: u64,
    /// The index of the body's shape.
    pub shape: usize,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A type's shapes and the one of its top-level block. A nested block's
/// shape always comes before the shape that contains it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Shapes {
    /// The top-level block's shape.
    pub root: usize,
    /// Every distinct shape.
    pub shapes: Vec<Shape>,
}

impl Shapes {
    /// The shapes of a block and everything below it.
    pub fn of(block: &Block) -> Shapes {
        let mut out = Shapes::default();
        let mut ids = HashMap::new();
        out.root = intern(block, &mut out.shapes, &mut ids);
        out
    }

    /// Whether every index points at an earlier shape (the root may be any).
    pub fn is_well_formed(&self) -> bool {
        self.root < self.shapes.len()
            && self
                .shapes
                .iter()
                .enumerate()
                .all(|(i, s)| s.block_types.values().all(|n| n.shape < i))
    }
}

fn intern(block: &Block, shapes: &mut Vec<Shape>, ids: &mut HashMap<String, usize>) -> usize {
    let mut shape = Shape {
        attributes: block
            .attributes
            .iter()
            .map(|(name, a)| {
                let mut a = a.clone();
                a.description = None;
                a.description_kind = None;
                (name.clone(), a)
            })
            .collect(),
        block_types: BTreeMap::new(),
    };
    for (name, nested) in &block.block_types {
        let child = intern(&nested.block, shapes, ids);
        shape.block_types.insert(
            name.clone(),
            NestedShape {
                nesting_mode: nested.nesting_mode,
                min_items: nested.min_items,
                max_items: nested.max_items,
                shape: child,
            },
        );
    }
    let key = serde_json::to_string(&shape).expect("shapes serialize");
    *ids.entry(key).or_insert_with(|| {
        shapes.push(shape);
        shapes.len() - 1
    })
}

impl NestedShape {
    /// Whether at most one block of this type can appear.
    pub fn is_single(&self) -> bool {
        matches!(self.nesting_mode, NestingMode::Single | NestingMode::Group) || self.max_items == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_subtrees_are_written_once() {
        let label = json!({"nesting_mode": "single", "block": {"attributes": {"text": {"type": "string", "optional": true, "description": "d"}}}});
        let block: Block = serde_json::from_value(json!({
            "attributes": {"id": {"type": "string", "computed": true}},
            "block_types": {
                "x": {"nesting_mode": "list", "max_items": 1, "block": {"block_types": {"label": label}}},
                "y": {"nesting_mode": "list", "max_items": 1, "block": {"block_types": {"label": label}}}
            }
        }))
        .unwrap();
        let shapes = Shapes::of(&block);
        assert_eq!(
            shapes.shapes.len(),
            3,
            "label, the axis holding it, the root"
        );
        assert!(shapes.is_well_formed());
        let root = &shapes.shapes[shapes.root];
        assert_eq!(root.block_types["x"].shape, root.block_types["y"].shape);
        let label_shape = &shapes.shapes[0];
        assert_eq!(label_shape.attributes["text"].description, None);
        let text = serde_json::to_string(&shapes).unwrap();
        assert_eq!(serde_json::from_str::<Shapes>(&text).unwrap(), shapes);
    }
}
