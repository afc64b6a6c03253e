//! What the generated typed bindings build on: the builder traits that give
//! every typed block its meta-arguments and escape hatches, and [`Body`], the
//! body of a nested block.
//!
//! Keeping this behaviour here, in plain non-generated code, keeps the
//! generated files to data and one-line setters, which compile quickly.

use indexmap::IndexMap;

use super::block::{
    BlockIter, DataSource, Dependable, Dependency, EphemeralResource, Lifecycle, ProviderRef,
    Resource,
};
use super::value::Node;

/// Imports for generated code, and for code that uses typed bindings: the
/// builder traits that carry the meta-arguments and escape hatches.
pub mod prelude {
    pub use super::{Body, BodyBlock, DataBlock, EphemeralBlock, ResourceBlock};
    pub use crate::core::{
        Address, DataRef, DataSource, Declare, Dependable, EphemeralRef, EphemeralResource, Expr,
        Node, Number, Resource, ResourceRef, Stack, Value,
    };
    pub use indexmap::IndexMap;
}

macro_rules! builder_trait {
    ($(#[$doc:meta])* $name:ident, $raw:ty) => {
        $(#[$doc])*
        pub trait $name: Sized {
            /// The untyped block being built.
            fn raw(&self) -> &$raw;

            /// The untyped block being built, mutably.
            fn raw_mut(&mut self) -> &mut $raw;

            /// `count`: create this many instances.
            fn count(mut self, count: impl Into<Node>) -> Self {
                self.raw_mut().meta.count = Some(count.into());
                self
            }

            /// `for_each`: one instance per element of a map or set.
            fn for_each(mut self, items: impl Into<Node>) -> Self {
                self.raw_mut().meta.for_each = Some(items.into());
                self
            }

            /// `provider`: use an aliased provider configuration.
            fn provider(mut self, provider: &ProviderRef) -> Self {
                self.raw_mut().meta.provider = Some(provider.clone());
                self
            }

            /// Declares a hidden dependency with the reason no reference implies it;
            /// see [`Resource::depends_on`].
            fn depends_on(mut self, target: &impl Dependable, reason: impl Into<String>) -> Self {
                self.raw_mut().meta.depends_on.push(Dependency::on(target, reason));
                self
            }

            /// `lifecycle`: creation and destruction behaviour, and custom
            /// conditions (data sources and ephemeral resources take only
            /// the conditions).
            fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
                self.raw_mut().meta.lifecycle = Some(lifecycle);
                self
            }

            /// Waives a policy rule for this block, with the reason.
            fn waive(mut self, rule: impl Into<String>, reason: impl Into<String>) -> Self {
                self.raw_mut().meta.waivers.insert(rule.into(), reason.into());
                self
            }

            /// Escape hatch: sets any argument or nested block by name, for what
            /// the typed API lacks. `tfsynth validate` still checks it.
            fn set(mut self, key: &str, value: impl Into<Node>) -> Self {
                self.raw_mut().insert(key, value);
                self
            }

            /// `dynamic "<block_type>"`: one nested block per element of
            /// `for_each`, made by `content` from the iterator (named after
            /// the block type); see [`Resource::dynamic`].
            fn dynamic<C: Into<Node>>(
                mut self,
                block_type: &str,
                for_each: impl Into<Node>,
                content: impl FnOnce(BlockIter) -> C,
            ) -> Self {
                let body = content(BlockIter::new(block_type)).into();
                self.raw_mut().put_dynamic(block_type, block_type, for_each.into(), body);
                self
            }

            /// Escape hatch: sets any attribute by a dotted path, creating nested
            /// blocks on the way (`"metadata_options.http_tokens"`).
            fn set_path(mut self, path: &str, value: impl Into<Node>) -> Self {
                self.raw_mut().set_path_mut(path, value.into());
                self
            }
        }
    };
}

builder_trait!(
    /// Meta-arguments and escape hatches of every typed resource.
    ResourceBlock,
    Resource
);
builder_trait!(
    /// Meta-arguments and escape hatches of every typed data source.
    DataBlock,
    DataSource
);
builder_trait!(
    /// Meta-arguments and escape hatches of every typed ephemeral resource.
    EphemeralBlock,
    EphemeralResource
);

/// The body of a nested block under construction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body(IndexMap<String, Node>);

impl Body {
    /// Sets an argument or a single nested block.
    pub fn insert(&mut self, key: &str, value: impl Into<Node>) {
        self.0.insert(key.to_owned(), value.into());
    }

    /// Sets an argument or a single nested block (non-generic, for generated code).
    pub fn put(&mut self, key: &str, value: Node) {
        self.0.insert(key.to_owned(), value);
    }

    /// Appends a repeated nested block (non-generic, for generated code).
    pub fn push_node(&mut self, key: &str, block: Node) {
        super::value::push_into(&mut self.0, key, block);
    }

    /// Adds a nested block of a map-mode block type (non-generic, for generated code).
    pub fn put_keyed(&mut self, key: &str, label: String, block: Node) {
        super::value::insert_keyed_into(&mut self.0, key, label, block);
    }

    /// The arguments and blocks set so far.
    pub fn items(&self) -> &IndexMap<String, Node> {
        &self.0
    }

    /// Appends a repeated nested block.
    pub fn push(&mut self, key: &str, block: impl Into<Node>) {
        super::value::push_into(&mut self.0, key, block.into());
    }

    /// Adds a nested block of a map-mode block type under `label`.
    pub fn insert_keyed(&mut self, key: &str, label: impl Into<String>, block: impl Into<Node>) {
        super::value::insert_keyed_into(&mut self.0, key, label.into(), block.into());
    }
}

impl From<Body> for Node {
    fn from(body: Body) -> Node {
        Node::Map(body.0)
    }
}

/// A typed nested block of a generated binding: its body, and the escape
/// hatch for what its typed API lacks.
pub trait BodyBlock: Sized {
    /// The body built so far.
    fn body(&self) -> &Body;

    /// The body, mutably.
    fn body_mut(&mut self) -> &mut Body;

    /// The finished body.
    fn into_body(self) -> Body;

    /// Escape hatch: sets any argument or nested block by name.
    /// `tfsynth validate` still checks it.
    fn set(mut self, key: &str, value: impl Into<Node>) -> Self {
        self.body_mut().insert(key, value);
        self
    }
}

impl<B: BodyBlock> From<B> for Node {
    fn from(block: B) -> Node {
        block.into_body().into()
    }
}

/// The generator's golden fixture, compiled here so that every nesting mode,
/// keyword name and type the generator handles is proven to build and to
/// synthesize as Terraform expects.
#[cfg(test)]
#[path = "../../../codegen/tests/fixture/src/resource/aws_fixture.rs"]
#[allow(dead_code, deprecated, clippy::all)]
mod fixture;

#[cfg(test)]
#[path = "../../../codegen/tests/fixture/src/ephemeral/aws_fixture_secret.rs"]
#[allow(dead_code, clippy::all)]
mod fixture_secret;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Resource, Stack};
    use serde_json::json;

    #[test]
    fn generated_fixture_synthesizes() {
        use fixture::*;
        let mut stack = Stack::new("fixture");
        let dep = stack.add(Resource::new("aws_eip", "dep"));
        let secret = stack.add(fixture_secret::EphemeralAwsFixtureSecret::new(
            "db", "arn:x",
        ));
        let fx = stack.add(
            AwsFixture::new(
                "one",
                AwsFixtureArgs {
                    label: "l".into(),
                    name: "fx".into(),
                    rule: Rule::new("allow").r#match(Match::new().field("path")),
                },
            )
            .r#type("t")
            .port(8080)
            .tags([("Team", "core")])
            .zones(["a", "b"])
            .matrix(vec![vec![1, 2]])
            .shape(Node::map_of([("a", "x")]))
            .password_wo(secret.value())
            .at_most_one(AtMostOne::new(3))
            .by_key("k", ByKey::new().v("value").id("nested-id"))
            .group_one(GroupOne::new().y("g"))
            .single_one(SingleOne::new().x("s").set("extra", true))
            .marker(Marker::new().none(NoneBlock::new()))
            .x_axis(XAxis::new().text("x"))
            .y_axis(YAxis::new().text("y"))
            .value(ValueBlock::new(ValueBlockArgs {
                k: "a".into(),
                v: 1.into(),
            }))
            .depends_on(&dep, "fixture order")
            .waive("rule-x", "reason x"),
        );
        assert_eq!(fx.arn().expr().to_hcl(), "aws_fixture.one.arn");
        let json: serde_json::Value = serde_json::from_str(&stack.synth().unwrap().json).unwrap();
        assert_eq!(
            json["resource"]["aws_fixture"]["one"],
            json!({
                "label": "l",
                "name": "fx",
                "rule": [{"action": "allow", "match": [{"field": "path"}]}],
                "type": "t",
                "port": 8080,
                "tags": {"Team": "core"},
                "zones": ["a", "b"],
                "matrix": [[1, 2]],
                "shape": {"a": "x"},
                "password_wo": "${ephemeral.aws_fixture_secret.db.value}",
                "at_most_one": {"z": 3},
                "by_key": {"k": {"v": "value", "id": "nested-id"}},
                "group_one": {"y": "g"},
                "single_one": {"x": "s", "extra": true},
                "marker": {"none": {}},
                "x_axis": {"text": "x"},
                "y_axis": {"text": "y"},
                "value": [{"k": "a", "v": 1}],
                "depends_on": ["aws_eip.dep"],
                "//": {"depends_on": {"aws_eip.dep": "fixture order"}, "waive": {"rule-x": "reason x"}}
            })
        );
        assert_eq!(
            json["ephemeral"]["aws_fixture_secret"]["db"],
            json!({"arn": "arn:x"})
        );
    }

    #[test]
    fn body_push_and_keyed() {
        let mut body = Body::default();
        body.insert("a", 1);
        body.push("rule", Node::map_of([("x", 1)]));
        body.push("rule", Node::map_of([("x", 2)]));
        body.insert_keyed("named", "first", Node::map_of([("y", true)]));
        assert_eq!(
            Node::from(body),
            Node::map_of([
                ("a", Node::from(1)),
                (
                    "rule",
                    Node::list_of([Node::map_of([("x", 1)]), Node::map_of([("x", 2)])])
                ),
                (
                    "named",
                    Node::map_of([("first", Node::map_of([("y", true)]))])
                ),
            ])
        );
    }
}
