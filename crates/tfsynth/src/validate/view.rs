//! Views of a type's block shapes ([`tfsynth_schema::shapes`]): a block is
//! its shape within the type's list of shapes, so nested blocks cost nothing
//! until a configuration reaches them.

use std::collections::BTreeMap;

use tfsynth_schema::shapes::{NestedShape, Shape};
use tfsynth_schema::{Attribute, NestingMode};

/// One block of a type's schema.
#[derive(Clone, Copy, Debug)]
pub struct BlockView<'a> {
    shapes: &'a [Shape],
    id: usize,
}

impl<'a> BlockView<'a> {
    /// The block `id` of `shapes`.
    pub fn new(shapes: &'a [Shape], id: usize) -> BlockView<'a> {
        BlockView { shapes, id }
    }

    fn shape(self) -> &'a Shape {
        &self.shapes[self.id]
    }

    /// Attributes by name.
    pub fn attributes(self) -> &'a BTreeMap<String, Attribute> {
        &self.shape().attributes
    }

    /// The nested block type `name`, if the block has one.
    pub fn block_type(self, name: &str) -> Option<NestedView<'a>> {
        self.shape().block_types.get(name).map(|nested| NestedView {
            shapes: self.shapes,
            nested,
        })
    }

    /// Every nested block type, by name.
    pub fn block_types(self) -> impl Iterator<Item = (&'a str, NestedView<'a>)> {
        let shapes = self.shapes;
        self.shape()
            .block_types
            .iter()
            .map(move |(name, nested)| (name.as_str(), NestedView { shapes, nested }))
    }

    /// Whether the block has an attribute or nested block type `name`.
    pub fn has(self, name: &str) -> bool {
        self.shape().attributes.contains_key(name) || self.shape().block_types.contains_key(name)
    }
}

/// A nested block type.
#[derive(Clone, Copy, Debug)]
pub struct NestedView<'a> {
    shapes: &'a [Shape],
    nested: &'a NestedShape,
}

impl<'a> NestedView<'a> {
    /// How instances of the block are grouped.
    pub fn nesting_mode(self) -> NestingMode {
        self.nested.nesting_mode
    }

    /// Minimum number of blocks.
    pub fn min_items(self) -> u64 {
        self.nested.min_items
    }

    /// Maximum number of blocks; 0 means no limit.
    pub fn max_items(self) -> u64 {
        self.nested.max_items
    }

    /// The block's own schema.
    pub fn block(self) -> BlockView<'a> {
        BlockView::new(self.shapes, self.nested.shape)
    }
}
