//! The infrastructure modules and the stacks built from them.
//!
//! Each module is a construct: `Module::new(&mut stack, "prefix", &config)`
//! adds its blocks under `prefix` (so it can be used several times in one
//! stack) and returns a struct whose public fields are typed references
//! that other modules consume.
//!
//! **Invariant:** code here uses only the public API of the `tfsynth`
//! library, exactly as a user's crate would; the library never depends on it.

pub mod database;
pub mod iam;
pub mod monitoring;
pub mod networking;
pub mod stacks;
pub mod storage;
pub mod web_tier;

/// The `tfsynth` application: every stack this repository defines.
pub fn app() -> tfsynth::App {
    tfsynth::App::new("tfsynth")
        .stack("demo", "Demonstration: a VPC with two subnets in two availability zones", stacks::demo::build)
        .configured_stack(
            "financial",
            "Financial services: 3-AZ VPC, ALB + auto scaling web tier, encrypted RDS MySQL and S3, flow logs, alarms",
            stacks::financial::spec(),
            stacks::financial::build,
        )
        .configured_stack(
            "webapp",
            "Web application: default VPC, ALB + auto scaling group with CPU target tracking, SNS health alarm",
            stacks::webapp::spec(),
            stacks::webapp::build,
        )
}

/// A block label under a module prefix: `net` + `igw` gives `net_igw`.
pub fn label(prefix: &str, part: &str) -> String {
    if part.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}_{part}")
    }
}

/// The `Name` tag; the other tags come from the provider's `default_tags`.
pub fn name_tags(name: &str) -> [(&'static str, String); 1] {
    [("Name", name.to_owned())]
}

#[cfg(test)]
pub mod test_support {
    //! Helpers for the modules' unit tests.

    use serde_json::Value;
    use tfsynth::Stack;

    /// The stack synthesized and parsed; the test fails on any problem.
    pub fn json(stack: &Stack) -> Value {
        let synthesized = stack.synth().unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&synthesized.json).unwrap()
    }

    /// One resource's body.
    pub fn body<'a>(json: &'a Value, ty: &str, name: &str) -> &'a Value {
        let body = &json["resource"][ty][name];
        assert!(body.is_object(), "no resource {ty}.{name}");
        body
    }

    /// One data source's body.
    pub fn data<'a>(json: &'a Value, ty: &str, name: &str) -> &'a Value {
        let body = &json["data"][ty][name];
        assert!(body.is_object(), "no data source {ty}.{name}");
        body
    }

    /// How many resources of a type there are.
    pub fn count(json: &Value, ty: &str) -> usize {
        json["resource"][ty].as_object().map_or(0, |m| m.len())
    }
}
