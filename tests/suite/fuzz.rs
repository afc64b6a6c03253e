//! Property tests: no input makes the expression parser, the configuration
//! loader or the validator panic, and escaping always round-trips.
//! The number of cases comes from PROPTEST_CASES (scripts/test.sh raises it).

use std::path::Path;

use proptest::prelude::*;
use tfsynth::config::{ConfigFile, ConfigValue, Key, Kind, Overrides, Spec, resolve, rules};
use tfsynth::hcl::{Segment, parse_expression, parse_template};

/// Text built from the pieces that matter to the parsers, so random input
/// reaches deep into them rather than failing at the first character.
fn hclish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("${".to_owned()),
        Just("}".to_owned()),
        Just("%{".to_owned()),
        Just("$${".to_owned()),
        Just("%%{".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("[for x in y : x]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        Just(" if ".to_owned()),
        Just(" endif ".to_owned()),
        Just(" else ".to_owned()),
        Just(" for ".to_owned()),
        Just(" endfor ".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("aws_vpc.main.id".to_owned()),
        Just("var.x".to_owned()),
        Just("f(".to_owned()),
        Just(",".to_owned()),
        Just("...".to_owned()),
        Just(" ? ".to_owned()),
        Just(" : ".to_owned()),
        Just("&&".to_owned()),
        Just("[*]".to_owned()),
        Just(".*".to_owned()),
        Just("/*".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        "[a-z0-9_ .-]{0,6}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|parts| parts.concat())
}

fn spec() -> Spec {
    Spec::new()
        .key(Key::required("owner", Kind::String, "owner").rule("non-empty", rules::non_empty))
        .key(Key::with_default("asg_min", ConfigValue::Integer(1), "min"))
        .key(Key::with_default("asg_max", ConfigValue::Integer(3), "max"))
        .key(Key::with_default(
            "multi_az",
            ConfigValue::Bool(true),
            "multi-az",
        ))
        .key(
            Key::with_default(
                "vpc_cidr",
                ConfigValue::String("10.0.0.0/16".into()),
                "cidr",
            )
            .rule("cidr", rules::ipv4_cidr),
        )
        .key(Key::with_default(
            "zones",
            ConfigValue::List(vec![]),
            "zones",
        ))
        .check("min <= max", &["asg_min", "asg_max"], |c| {
            if c.int("asg_min") <= c.int("asg_max") {
                Ok(())
            } else {
                Err("min > max".into())
            }
        })
}

/// TOML-looking text: tables, keys and values of every kind, often wrong.
fn tomlish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[stacks.web]".to_owned()),
        Just("[stacks.web.environments.prod]".to_owned()),
        Just("[stacks.web.backend]".to_owned()),
        Just("[terraform]".to_owned()),
        Just("default_environment = \"prod\"".to_owned()),
        Just("type = \"s3\"".to_owned()),
        (
            prop_oneof![
                Just("owner"),
                Just("asg_min"),
                Just("asg_max"),
                Just("multi_az"),
                Just("vpc_cidr"),
                Just("zones"),
                Just("bucket"),
                Just("x")
            ],
            prop_oneof![
                Just("\"a\"".to_owned()),
                Just("1".to_owned()),
                Just("-5".to_owned()),
                Just("true".to_owned()),
                Just("[\"a\", 1]".to_owned()),
                Just("1.5".to_owned()),
                Just("{ a = 1 }".to_owned()),
                "\"[0-9./]{0,12}\"",
                "[ -~]{0,8}"
            ]
        )
            .prop_map(|(k, v)| format!("{k} = {v}")),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #[test]
    fn template_parser_never_panics(text in hclish()) {
        let _ = parse_template(&text);
        let _ = parse_expression(&text);
    }

    #[test]
    fn template_parser_never_panics_on_any_text(text in "\\PC{0,64}") {
        let _ = parse_template(&text);
        let _ = parse_expression(&text);
    }

    #[test]
    fn escaped_text_reads_back_as_the_same_text(text in "\\PC{0,64}") {
        let escaped = tfsynth::core::expr::escape_template(&text);
        let parts = parse_template(&escaped).expect("escaped text always parses");
        let read: String = parts.iter().map(|p| match p { Segment::Text(t) => t.clone(), other => panic!("an expression appeared: {other:?}") }).collect();
        prop_assert_eq!(read, text);
    }

    #[test]
    fn configuration_loader_never_panics(text in tomlish(), env in prop::option::of("[a-z]{0,6}"), set in prop::option::of("[a-z_.]{0,10}=[ -~]{0,8}")) {
        if let Ok(file) = ConfigFile::parse(Path::new("tfsynth.toml"), &text) {
            let overrides = set.as_deref().and_then(|arg| Overrides::new().set(arg).ok()).unwrap_or_default();
            let _ = resolve(&spec(), "web", &file, env.as_deref(), &overrides);
        }
    }

    #[test]
    fn validator_never_panics(text in hclish()) {
        let json = format!("{{\"resource\": {{\"aws_vpc\": {{\"v\": {{\"cidr_block\": {}}}}}}}}}", serde_json::to_string(&text).unwrap());
        let _ = super::support::aws_validate(&json);
        let _ = tfsynth::graph::Graph::from_json(&json);
    }
}
