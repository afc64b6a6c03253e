//! Resolution: layering, provenance and every kind of error.

use std::path::Path;

use super::*;
use crate::core::Backend;

fn spec() -> Spec {
    Spec::new()
        .key(
            Key::required("owner", Kind::String, "team that owns the stack")
                .rule("non-empty", rules::non_empty),
        )
        .key(
            Key::with_default("asg_min", ConfigValue::Integer(1), "minimum instances")
                .rule("at least 1", rules::positive),
        )
        .key(Key::with_default(
            "asg_max",
            ConfigValue::Integer(3),
            "maximum instances",
        ))
        .key(Key::with_default(
            "multi_az",
            ConfigValue::Bool(true),
            "standby in a second zone",
        ))
        .key(
            Key::with_default(
                "vpc_cidr",
                ConfigValue::String("10.0.0.0/16".into()),
                "VPC CIDR",
            )
            .rule("CIDR", rules::ipv4_cidr),
        )
        .key(Key::optional(
            "certificate_arn",
            Kind::String,
            "HTTPS certificate",
        ))
        .key(Key::with_default(
            "alarm_emails",
            ConfigValue::List(vec![]),
            "alarm recipients",
        ))
        .check("min <= max", &["asg_min", "asg_max"], |c| {
            if c.int("asg_min") <= c.int("asg_max") {
                Ok(())
            } else {
                Err(format!(
                    "asg_min ({}) must not exceed asg_max ({})",
                    c.int("asg_min"),
                    c.int("asg_max")
                ))
            }
        })
}

const FILE: &str = r#"
[stacks.web]
owner = "platform"
asg_max = 4
default_environment = "dev"

[stacks.web.environments.dev]
asg_min = 2

[stacks.web.environments.prod]
asg_min = 3
multi_az = true
[stacks.web.environments.prod.backend]
type = "s3"
bucket = "acme-state"
key = "web/prod.tfstate"
region = "eu-west-1"
"#;

fn file(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("tfsynth.toml"), text).unwrap()
}

fn errors(text: &str, env: Option<&str>, overrides: Overrides) -> Vec<String> {
    match resolve(&spec(), "web", &file(text), env, &overrides) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn layers_and_sources() {
    let overrides = Overrides::new()
        .with_env(
            "TFSYNTH",
            [
                ("TFSYNTH_WEB_ASG_MAX".into(), "6".into()),
                ("HOME".into(), "/x".into()),
            ],
        )
        .set("web.multi_az=false")
        .unwrap()
        .set("alarm_emails=a@example.com, b@example.com")
        .unwrap();
    let c = resolve(&spec(), "web", &file(FILE), None, &overrides).unwrap();
    assert_eq!(c.environment(), Some("dev"), "default_environment applies");
    assert_eq!(c.string("owner"), "platform");
    assert_eq!(c.int("asg_min"), 2);
    assert_eq!(c.int("asg_max"), 6);
    assert!(!c.bool("multi_az"));
    assert_eq!(c.list("alarm_emails"), ["a@example.com", "b@example.com"]);
    assert_eq!(c.opt_string("certificate_arn"), None);
    let sources: Vec<String> = c
        .entries()
        .map(|(k, _, s, _)| format!("{k}: {s}"))
        .collect();
    assert_eq!(
        sources,
        [
            "owner: tfsynth.toml [stacks.web]",
            "asg_min: tfsynth.toml [stacks.web.environments.dev]",
            "asg_max: environment variable TFSYNTH_WEB_ASG_MAX",
            "multi_az: --set web.multi_az",
            "vpc_cidr: default",
            "certificate_arn: default",
            "alarm_emails: --set alarm_emails",
        ]
    );
    assert!(c.backend().is_none());
}

#[test]
fn environment_selection_and_backend() {
    let c = resolve(&spec(), "web", &file(FILE), Some("prod"), &Overrides::new()).unwrap();
    assert_eq!(c.int("asg_min"), 3);
    assert_eq!(
        c.backend(),
        Some(&Backend::S3(crate::core::S3Backend {
            bucket: "acme-state".into(),
            key: "web/prod.tfstate".into(),
            region: "eu-west-1".into(),
            use_lockfile: true,
            encrypt: true,
            endpoint: None,
        }))
    );
    assert_eq!(
        errors(FILE, Some("staging"), Overrides::new()),
        [
            "tfsynth.toml [stacks.web]: environment \"staging\" is not configured; configured environments: dev, prod"
        ]
    );
    assert_eq!(
        errors(FILE, Some("prd"), Overrides::new()),
        [
            "tfsynth.toml [stacks.web]: environment \"prd\" is not configured (did you mean \"prod\"?); configured environments: dev, prod"
        ]
    );
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let text = r#"
[stacks.web]
owner = " "
asg_mni = 2
asg_max = "three"
vpc_cidr = "10.0.1.0/8"
[stacks.web.backend]
type = "s4"
"#;
    let overrides = Overrides::new()
        .with_env("TFSYNTH", [("TFSYNTH_WEB_MULTI_AZ".into(), "maybe".into())])
        .set("asg_min=x")
        .unwrap()
        .set("colour=blue")
        .unwrap();
    assert_eq!(
        errors(text, None, overrides),
        [
            "tfsynth.toml [stacks.web] asg_mni: unknown key \"asg_mni\" (did you mean \"asg_min\"?)",
            "tfsynth.toml [stacks.web] asg_max: expected an integer, found a string",
            "tfsynth.toml [stacks.web] backend: unknown backend type \"s4\" (did you mean \"s3\"?); use \"local\", \"s3\" or \"cloud\"",
            "environment variable TFSYNTH_WEB_MULTI_AZ: expected true or false",
            "--set asg_min: expected an integer",
            "--set colour: stack web has no configuration key \"colour\"",
            "tfsynth.toml [stacks.web] owner: must be non-empty text without surrounding spaces (rule: non-empty)",
            "tfsynth.toml [stacks.web] vpc_cidr: host bits are set: the address must be the first of its network (rule: CIDR)",
        ]
    );
}

#[test]
fn missing_required_and_cross_key_rules() {
    assert_eq!(
        errors("", None, Overrides::new().with_prefix("TFSYNTH")),
        [
            "tfsynth.toml [stacks.web] owner: missing required value (team that owns the stack) (hint: set it in the file, with --set owner=..., or with TFSYNTH_WEB_OWNER)"
        ]
    );
    let overrides = Overrides::new().set("asg_min=5").unwrap();
    assert_eq!(
        errors(FILE, None, overrides),
        [
            "asg_min (--set asg_min), asg_max (tfsynth.toml [stacks.web]): asg_min (5) must not exceed asg_max (4) (rule: min <= max)"
        ]
    );
}

#[test]
fn file_level_errors() {
    let err = ConfigFile::parse(Path::new("t.toml"), "[stacks.web]\nowner = \n").unwrap_err();
    assert_eq!(err.location, "t.toml:2");
    assert!(
        err.message.starts_with("malformed TOML: "),
        "{}",
        err.message
    );
    let err = ConfigFile::parse(Path::new("t.toml"), "[stack.web]\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.toml stack: unknown top-level key \"stack\" (did you mean \"stacks\"?); the file holds [stacks.<name>] and [terraform] tables"
    );
    assert!(Overrides::new().set("novalue").is_err());
    assert!(Overrides::new().set(".x=1").is_err());
    let o = Overrides::new().set("webb.owner=x").unwrap();
    assert_eq!(
        o.check_stacks(&["web"]).unwrap_err().to_string(),
        "--set webb.owner: unknown stack \"webb\" (did you mean \"web\"?)"
    );
}

#[test]
fn discovery_searches_parents() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tfsynth.toml"),
        "[stacks.web]\nowner = \"x\"\n",
    )
    .unwrap();
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    let found = ConfigFile::discover(&nested, "tfsynth.toml").unwrap();
    assert_eq!(
        found.path(),
        Some(dir.path().join("tfsynth.toml").as_path())
    );
    assert_eq!(found.stack_names(), ["web"]);
    let empty = tempfile::tempdir().unwrap();
    let none = ConfigFile::discover(empty.path(), "tfsynth.toml").unwrap();
    assert!(none.path().is_none());
    let message =
        resolve(&spec(), "web", &none, None, &Overrides::new()).unwrap_err()[0].to_string();
    assert!(
        message.contains(&format!(
            "no tfsynth.toml was found in {} or its parents",
            empty.path().display()
        )),
        "{message}"
    );
}

#[test]
fn backends() {
    let parse = |text: &str| parse_backend(&text.parse::<toml::Table>().unwrap());
    assert_eq!(
        parse("type = \"local\"").unwrap(),
        Backend::Local { path: None }
    );
    assert_eq!(
        parse(
            "type = \"cloud\"\norganization = \"acme\"\nworkspace_tags = [\"web\"]\nproject = \"p\""
        )
        .unwrap(),
        Backend::Cloud(crate::core::CloudBackend {
            organization: "acme".into(),
            workspace: "{stack}-{environment}".into(),
            tags: vec!["web".into()],
            project: Some("p".into()),
            hostname: None,
        })
    );
    // An emulator's endpoint: S3 and STS calls go there, path-style.
    let Backend::S3(s3) = parse(
        "type = \"s3\"\nbucket = \"b\"\nkey = \"k\"\nregion = \"r\"\nendpoint = \"http://127.0.0.1:5000\"",
    )
    .unwrap() else {
        panic!("an s3 backend")
    };
    let settings: Vec<&str> = s3.endpoint_settings().iter().map(|(k, _)| *k).collect();
    assert_eq!(
        settings,
        [
            "endpoints",
            "use_path_style",
            "skip_credentials_validation",
            "skip_requesting_account_id",
            "skip_metadata_api_check",
            "skip_region_validation"
        ]
    );
    let mut stack = crate::core::Stack::new("s");
    stack.backend(Backend::S3(s3));
    let json: serde_json::Value = serde_json::from_str(&stack.synth().unwrap().json).unwrap();
    assert_eq!(
        json["terraform"]["backend"]["s3"]["endpoints"],
        serde_json::json!({"s3": "http://127.0.0.1:5000", "sts": "http://127.0.0.1:5000"})
    );
    let check = |text: &str, expect: &str| assert_eq!(parse(text).unwrap_err(), expect, "{text}");
    check(
        "bucket = \"b\"",
        "backend needs a type: \"local\", \"s3\" or \"cloud\"",
    );
    check(
        "type = \"s3\"\nbucket = \"b\"\nkey = \"k\"",
        "s3 backend: required field region is missing",
    );
    check(
        "type = \"s3\"\nbucket = \"b\"\nkey = \"k\"\nregion = \"r\"\nlockfile = true",
        "s3 backend: unknown field \"lockfile\" (did you mean \"use_lockfile\"?)",
    );
    check(
        "type = \"cloud\"\norganization = \"a\"\nworkspace = \"{team}-{stack}\"",
        "cloud backend: workspace \"{team}-{stack}\": {team} is not a placeholder; use {stack}, {environment} or {project}",
    );
    check(
        "type = \"cloud\"\norganization = \"a\"\nworkspace_tags = [\"{team}\"]",
        "cloud backend: workspace_tags entry \"{team}\": {team} is not a placeholder; use {stack}, {environment} or {project}",
    );
    check(
        "type = \"cloud\"\norganization = \"a\"\nworkspace_tags = \"app\"",
        "cloud backend: workspace_tags must be a list of strings",
    );
    check(
        "type = \"cloud\"\nworkspace = \"w\"",
        "cloud backend: required field organization is missing",
    );
}

/// The keys every stack shares, flattened into [`Web`].
#[derive(Settings, Debug, PartialEq)]
#[settings(check("min <= max", [asg_min, asg_max], sizes_in_order))]
struct Shared {
    /// team that owns the stack
    #[setting(rule("non-empty", rules::non_empty))]
    owner: String,
    /// minimum instances
    #[setting(rule("at least 1", rules::positive))]
    asg_min: i64,
    /// maximum instances
    #[setting(default = 3)]
    asg_max: i64,
}

fn sizes_in_order(s: &Shared) -> Result<(), String> {
    if s.asg_min <= s.asg_max {
        Ok(())
    } else {
        Err(format!(
            "asg_min ({}) must not exceed asg_max ({})",
            s.asg_min, s.asg_max
        ))
    }
}

#[derive(Settings, Debug, PartialEq)]
#[settings(default(shared.asg_min = 2))]
struct Web {
    #[setting(flatten)]
    shared: Shared,
    /// standby in a second zone
    #[setting(default = true)]
    multi_az: bool,
    /// VPC CIDR
    #[setting(default = "10.0.0.0/16", rule("CIDR", rules::ipv4_cidr))]
    vpc_cidr: String,
    /// HTTPS certificate
    certificate_arn: Option<String>,
    /// alarm recipients
    #[setting(default = Vec::new())]
    alarm_emails: Vec<String>,
    /// the app's port
    port: Option<i64>,
}

fn typed(set: &[&str]) -> Result<Web, Vec<String>> {
    let mut overrides = Overrides::new();
    for arg in set {
        overrides = overrides.set(arg).unwrap();
    }
    resolve(
        &Web::spec(),
        "web",
        &ConfigFile::default(),
        None,
        &overrides,
    )
    .map(|c| Web::from_config(&c))
    .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

#[test]
fn a_settings_struct_is_its_spec() {
    let spec = Web::spec();
    let keys: Vec<(&str, String, &str)> = spec
        .keys()
        .iter()
        .map(|k| (k.name(), k.default_text(), k.description()))
        .collect();
    assert_eq!(
        keys,
        [
            ("owner", "required".into(), "team that owns the stack"),
            ("asg_min", "2".into(), "minimum instances"),
            ("asg_max", "3".into(), "maximum instances"),
            ("multi_az", "true".into(), "standby in a second zone"),
            ("vpc_cidr", "\"10.0.0.0/16\"".into(), "VPC CIDR"),
            ("certificate_arn", "unset".into(), "HTTPS certificate"),
            ("alarm_emails", "[]".into(), "alarm recipients"),
            ("port", "unset".into(), "the app's port"),
        ]
    );
}

#[test]
fn a_settings_struct_is_filled_from_every_layer() {
    let web = typed(&[
        "owner=platform",
        "asg_max=5",
        "certificate_arn=arn:aws:acm:us-east-1:1:certificate/x",
        "alarm_emails=a@example.com,b@example.com",
    ])
    .unwrap();
    assert_eq!(
        web,
        Web {
            shared: Shared {
                owner: "platform".into(),
                asg_min: 2,
                asg_max: 5,
            },
            multi_az: true,
            vpc_cidr: "10.0.0.0/16".into(),
            certificate_arn: Some("arn:aws:acm:us-east-1:1:certificate/x".into()),
            alarm_emails: vec!["a@example.com".into(), "b@example.com".into()],
            port: None,
        }
    );
    assert_eq!(typed(&["owner=x", "port=8080"]).unwrap().port, Some(8080));
}

#[test]
fn a_settings_struct_keeps_the_messages_of_its_spec() {
    assert_eq!(
        typed(&["owner=x", "asg_min=4"]).unwrap_err(),
        [
            "asg_min (--set asg_min), asg_max (default): asg_min (4) must not exceed asg_max (3) (rule: min <= max)"
        ]
    );
    let errors = typed(&["asg_min=0", "vpc_cidr=nope"]).unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("owner") && errors[0].contains("required"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("--set asg_min") && errors[1].contains("(rule: at least 1)"),
        "{errors:?}"
    );
    assert!(
        errors[2].contains("--set vpc_cidr") && errors[2].contains("(rule: CIDR)"),
        "{errors:?}"
    );
}

#[test]
#[should_panic(expected = "the spec has no key \"asg_mni\" to set a default for")]
fn a_default_for_a_key_the_spec_lacks_is_a_program_error() {
    let _ = Spec::new().default_value("asg_mni", ConfigValue::Integer(1));
}

#[test]
fn a_cloud_workspace_per_stack_and_environment() {
    let cloud = |workspace: &str, environment: Option<&str>| {
        let text = format!(
            "type = \"cloud\"\norganization = \"acme\"\nproject = \"payments\"\n{workspace}"
        );
        parse_backend_for(&text.parse::<toml::Table>().unwrap(), "web", environment).map(
            |b| match b {
                Backend::Cloud(c) => (c.workspace, c.tags),
                other => panic!("{other:?}"),
            },
        )
    };
    let named = |name: &str| (name.to_owned(), Vec::<String>::new());
    // By default, one workspace per stack and environment.
    assert_eq!(cloud("", Some("prod")), Ok(named("web-prod")));
    assert_eq!(
        cloud(
            "workspace = \"{project}-{stack}-{environment}\"",
            Some("staging")
        ),
        Ok(named("payments-web-staging"))
    );
    assert_eq!(cloud("workspace = \"fixed\"", None), Ok(named("fixed")));
    assert_eq!(
        cloud("", None).unwrap_err(),
        "cloud backend: workspace \"{stack}-{environment}\" names the environment, and none is selected (hint: --env NAME, or default_environment in the stack's table)"
    );
    assert_eq!(
        cloud("workspace = \"{stack} {environment}\"", Some("prod")).unwrap_err(),
        "cloud backend: workspace name \"web prod\" is not one Terraform Cloud accepts: 1 to 90 letters, digits and -, _"
    );
    // Tags: placeholders replaced like the name's, each checked.
    assert_eq!(
        cloud(
            "workspace_tags = [\"tfsynth\", \"stack:{stack}\", \"env:{environment}\", \"{project}\"]",
            Some("prod")
        ),
        Ok((
            "web-prod".to_owned(),
            vec![
                "tfsynth".to_owned(),
                "stack:web".to_owned(),
                "env:prod".to_owned(),
                "payments".to_owned()
            ]
        ))
    );
    assert_eq!(
        cloud("workspace_tags = [\"team a\"]", Some("prod")).unwrap_err(),
        "cloud backend: workspace tag \"team a\" is not one Terraform Cloud accepts: 1 to 255 letters, digits and -, _, :"
    );
    assert_eq!(
        cloud(
            "workspace = \"{stack}\"\nworkspace_tags = [\"env:{environment}\"]",
            None
        )
        .unwrap_err(),
        "cloud backend: workspace_tags entry \"env:{environment}\" names the environment, and none is selected (hint: --env NAME, or default_environment in the stack's table)"
    );
    assert_eq!(
        workspace_name("{project}-{stack}", "web", None, None).unwrap_err(),
        "cloud backend: workspace \"{project}-{stack}\" names the project, and the backend table sets none (hint: project = \"...\")"
    );
    // Through resolution: the selected environment names the workspace.
    let file = ConfigFile::parse(
        Path::new("t.toml"),
        "[stacks.web]\nowner = \"x\"\ndefault_environment = \"prod\"\n[stacks.web.backend]\ntype = \"cloud\"\norganization = \"acme\"\n[stacks.web.environments.prod]\n[stacks.web.environments.dev]\n",
    )
    .unwrap();
    for (env, workspace) in [(None, "web-prod"), (Some("dev"), "web-dev")] {
        let config = resolve(&spec(), "web", &file, env, &Overrides::new()).unwrap();
        match config.backend() {
            Some(Backend::Cloud(c)) => assert_eq!(c.workspace, workspace),
            other => panic!("{other:?}"),
        }
    }
}
