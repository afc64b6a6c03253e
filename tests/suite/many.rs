//! Many stacks: one stack reads another's outputs through a typed
//! `StackOutput`, synthesis connects the reader to the producer's state,
//! `list` and `graph --stacks` show the stack graph, every mistake is an
//! error naming the stacks, and the real terraform applies the stacks in
//! order, each reading the last one's state.

use serde_json::{Value as Json, json};
use tfsynth::{App, Output, Resource, Stack, StackOutput};

use super::support::{CLOSED_ENDPOINTS, Terraform, run_app as run};

const CIDR: StackOutput<String> = StackOutput::new("network", "cidr");
const TOKEN: StackOutput<String> = StackOutput::sensitive("platform", "token");
const ZONE: StackOutput<String> = StackOutput::new("platform", "zone");

fn network(stack: &mut Stack) {
    let net = stack.add(Resource::new("terraform_data", "net").set("input", "10.0.0.0/16"));
    stack.export(&CIDR, net.get::<String>("output"));
}

fn platform(stack: &mut Stack) {
    let cidr = stack.remote(&CIDR);
    let token = stack.add(Resource::new("terraform_data", "token").set(
        "input",
        tfsynth::Expr::call("sensitive", vec!["s3cr3t".into()]),
    ));
    stack.export(&TOKEN, token.get::<String>("output"));
    let zone = stack.add(
        Resource::new("terraform_data", "zone").set("input", tfsynth::interp!["zone-in-", cidr]),
    );
    stack.export(&ZONE, zone.get::<String>("output"));
}

fn web(stack: &mut Stack) {
    let cidr = stack.remote(&CIDR);
    let zone = stack.remote(&ZONE);
    let token = stack.remote(&TOKEN);
    let app = stack.add(Resource::new("terraform_data", "app").set(
        "input",
        tfsynth::Node::map_of([("cidr", tfsynth::Node::from(cidr)), ("zone", zone.into())]),
    ));
    stack.add(Output::new("app", app.attr("output")));
    stack.add(Output::new("token", token).sensitive());
}

fn app() -> App {
    App::new("many")
        .stack("web", "reads both", web)
        .stack("platform", "reads the network", platform)
        .stack("network", "reads nothing", network)
}

#[test]
fn a_reader_reaches_its_producers_state_and_the_stack_graph_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Only the reader is written; its producers are built to check what they export.
    let (code, _, stderr) = run(&app(), &["many", "synth", "web", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.path().join("platform").exists());
    let web: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("web/main.tf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        web["data"]["terraform_remote_state"],
        json!({
            "network": {"backend": "local", "config": {"path": "../network/terraform.tfstate"}},
            "platform": {"backend": "local", "config": {"path": "../platform/terraform.tfstate"}},
        })
    );
    assert_eq!(
        web["resource"]["terraform_data"]["app"]["input"]["zone"],
        json!("${data.terraform_remote_state.platform.outputs.zone}")
    );
    assert_eq!(run(&app(), &["many", "synth", "--out", out]).0, 0);
    let platform: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("platform/main.tf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(platform["output"]["token"]["sensitive"], json!(true));
    assert_eq!(
        platform["output"]["token"]["value"],
        json!("${terraform_data.token.output}")
    );

    let (code, stdout, _) = run(&app(), &["many", "list"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "web       reads both\n          reads the outputs of network, platform\nplatform  reads the network\n          reads the outputs of network\nnetwork   reads nothing\n"
    );
    let (code, stdout, _) = run(&app(), &["many", "graph", "--stacks"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "stacks of many, in deployment order:\n  1. network\n  2. platform  reads network\n  3. web       reads network, platform\n"
    );
    let (_, dot, _) = run(&app(), &["many", "graph", "--stacks", "--format", "dot"]);
    assert!(dot.contains("  \"network\" -> \"platform\";\n  \"network\" -> \"web\";\n  \"platform\" -> \"web\";\n"), "{dot}");

    let Some(tf) =
        Terraform::find("a_reader_reaches_its_producers_state_and_the_stack_graph_shows_it")
    else {
        return;
    };
    for stack in ["network", "platform", "web"] {
        let d = dir.path().join(stack);
        tf.ok(&d, &["init", "-input=false", "-no-color"]);
        tf.ok(&d, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    }
    let outputs: Json =
        serde_json::from_str(&tf.ok(&dir.path().join("web"), &["output", "-json"])).unwrap();
    assert_eq!(
        outputs["app"]["value"],
        json!({"cidr": "10.0.0.0/16", "zone": "zone-in-10.0.0.0/16"})
    );
    assert_eq!(outputs["token"]["sensitive"], json!(true));
    assert_eq!(outputs["token"]["value"], json!("s3cr3t"));
    // The reader's plan is clean once its producers are applied.
    let (ok, text) = tf.run_env(
        &dir.path().join("web"),
        &["plan", "-detailed-exitcode", "-no-color", "-input=false"],
        &[],
    );
    assert!(ok, "{text}");
}

#[test]
fn mistakes_between_stacks_name_the_stacks_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let synth = |app: App| run(&app, &["many", "synth", "--out", out]);

    const MISSING: StackOutput<String> = StackOutput::new("netwrk", "cidr");
    let (code, _, stderr) = synth(
        App::new("many")
            .stack("web", "", |s| {
                let _ = s.remote(&MISSING);
            })
            .stack("network", "", network),
    );
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: stack web reads netwrk.cidr (at tests/suite/many.rs:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("and many has no stack netwrk (did you mean \"network\"?)"),
        "{stderr}"
    );

    const NOT_EXPORTED: StackOutput<String> = StackOutput::new("network", "vpc_id");
    let (code, _, stderr) = synth(
        App::new("many")
            .stack("web", "", |s| {
                let _ = s.remote(&NOT_EXPORTED);
            })
            .stack("network", "", network),
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("stack web reads network.vpc_id (at tests/suite/many.rs:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("which stack network does not export (it exports cidr)"),
        "{stderr}"
    );

    const A: StackOutput<String> = StackOutput::new("a", "x");
    const B: StackOutput<String> = StackOutput::new("b", "x");
    let cyclic = || {
        App::new("many")
            .stack("a", "", |s| {
                let v = s.remote(&B);
                s.export(&A, v);
            })
            .stack("b", "", |s| {
                let v = s.remote(&A);
                s.export(&B, v);
            })
    };
    let (code, _, stderr) = synth(cyclic());
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: stacks read each other's outputs in a cycle: a -> b -> a (hint: move what both need into a stack of its own)\n"
    );
    // The graph of the stacks says it in the same words.
    let (code, _, graph_stderr) = run(&cyclic(), &["many", "graph", "--stacks"]);
    assert_eq!(code, 2);
    assert_eq!(graph_stderr, stderr);

    // An export in the name of another stack is a synthesis problem of the stack.
    let (code, _, stderr) = synth(App::new("many").stack("web", "", |s| {
        let v = s.add(Resource::new("terraform_data", "x"));
        s.export(&CIDR, v.get::<String>("id"));
    }));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("stack web exports network.cidr, an output of stack network"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// The reader's `terraform_remote_state` for each producer backend goes
/// through a real `terraform plan`: terraform decodes the backend
/// configuration (rejecting an unknown or missing argument) and then fails
/// only when it connects to the closed loopback port every endpoint names.
#[test]
fn terraform_reads_every_shape_of_remote_state() {
    use tfsynth::{Backend, CloudBackend, S3Backend};
    let Some(tf) = Terraform::find("terraform_reads_every_shape_of_remote_state") else {
        return;
    };
    let env = CLOSED_ENDPOINTS;
    let cases = [
        Backend::S3(S3Backend {
            bucket: "acme-state".into(),
            key: "network/terraform.tfstate".into(),
            region: "eu-west-1".into(),
            use_lockfile: true,
            encrypt: true,
            endpoint: None,
        }),
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: "network-prod".into(),
            tags: vec![],
            project: None,
            hostname: Some("127.0.0.1:9".into()),
        }),
        // A tagged workspace is read by its name all the same.
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: "network-prod".into(),
            tags: vec!["network".into(), "env:prod".into()],
            project: Some("platform".into()),
            hostname: Some("127.0.0.1:9".into()),
        }),
    ];
    for backend in cases.clone() {
        let kind = backend.kind();
        let mut producer = Stack::new("network");
        producer.backend(backend.clone());
        network(&mut producer);
        let block = tfsynth::stacks::remote_state("network", Some(&backend));
        let mut reader = Stack::new("web");
        reader.add(block);
        let cidr = reader.remote(&CIDR);
        reader.add(Output::new("cidr", cidr));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf.json"),
            reader.synth().unwrap().json,
        )
        .unwrap();
        tf.ok(dir.path(), &["init", "-input=false", "-no-color"]);
        let (ok, text) = tf.run_env(dir.path(), &["plan", "-input=false", "-no-color"], &env);
        assert!(!ok, "{kind}: {text}");
        assert!(
            !text.contains("Unsupported argument") && !text.contains("Missing required argument"),
            "{kind}: terraform rejected the configuration\n{text}"
        );
        assert!(
            text.contains("127.0.0.1:9") && text.contains("connection refused"),
            "{kind}: failed only at the connection\n{text}"
        );
    }
    let reader = tfsynth::stacks::remote_state("network", Some(&cases[2]));
    let mut stack = Stack::new("web");
    stack.add(reader);
    let json: Json = serde_json::from_str(&stack.synth().unwrap().json).unwrap();
    assert_eq!(
        json["data"]["terraform_remote_state"]["network"]["config"]["workspaces"],
        json!({"name": "network-prod"})
    );
}

/// A terraform that records the stack of each call and fails `apply` in
/// the folder named by `fail`; with `slow`, each apply takes a second and
/// its end is recorded too.
fn recording_terraform(dir: &std::path::Path, fail: &str) -> std::path::PathBuf {
    terraform_script(dir, fail, false)
}

fn terraform_script(dir: &std::path::Path, fail: &str, slow: bool) -> std::path::PathBuf {
    let fake =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-terraform");
    let script = dir.join("terraform");
    let (pause, end) = if slow {
        (
            "if [ \"$1\" = apply ]; then sleep 1; fi\n",
            format!(
                "if [ \"$1\" = apply ]; then echo \"end $stack\" >> {:?}; fi\n",
                dir.join("order.log")
            ),
        )
    } else {
        ("", String::new())
    };
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexport FAKE_TF_LOG={log:?}\nstack=$(basename \"$PWD\")\nif [ \"$1\" = apply ] || [ \"$1\" = destroy ]; then echo \"$1 $stack\" >> {order:?}; fi\nif [ \"$1\" = apply ] && [ \"$stack\" = {fail:?} ]; then echo 'Error: fake failure' >&2; exit 3; fi\n{pause}{fake:?} \"$@\"\nrc=$?\n{end}exit $rc\n",
            log = dir.join("terraform.log"),
            order = dir.join("order.log"),
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.join("many.toml");
    std::fs::write(
        &config,
        format!("[terraform]\nbinary = {:?}\n", script.display().to_string()),
    )
    .unwrap();
    config
}

/// The summary's row of `stack`, split into its columns.
fn summary_row(stdout: &str, stack: &str) -> Vec<String> {
    let table = stdout.split("\nsummary:\n").nth(1).expect("a summary");
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(stack))
        .unwrap_or_else(|| panic!("no row for {stack}: {stdout}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The calling closure for `app` with `config`, writing into `out`.
fn caller<'a>(
    app: &'a App,
    config: &'a std::path::Path,
    out: &'a std::path::Path,
) -> impl Fn(&[&str]) -> (u8, String, String) + 'a {
    move |command: &[&str]| {
        let mut a: Vec<&str> = vec![
            "many",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend(command);
        run(app, &a)
    }
}

#[test]
fn stacks_apply_producers_first_destroy_readers_first_and_stop_at_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let config = recording_terraform(dir.path(), "none");
    let out = dir.path().join("out");
    let app = app();
    let call = caller(&app, &config, &out);
    // Producers' state exists for the fake as it would after a real apply.
    for stack in ["network", "platform"] {
        std::fs::create_dir_all(out.join(stack)).unwrap();
        std::fs::write(out.join(stack).join("terraform.tfstate"), "{}").unwrap();
    }
    let (code, stdout, stderr) = call(&["apply", "--all", "--auto-approve"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let order = std::fs::read_to_string(dir.path().join("order.log")).unwrap();
    assert_eq!(order, "apply network\napply platform\napply web\n");
    assert!(
        stdout.contains("summary:\n  stack     time     changes                          result\n"),
        "{stdout}"
    );
    for stack in ["network", "platform", "web"] {
        let row = summary_row(&stdout, stack);
        assert_eq!(
            row[2..],
            ["1 added, 0 changed, 0 destroyed", "applied"],
            "{stdout}"
        );
    }
    // Every line of terraform's output names its stack.
    assert!(
        stdout
            .contains("\nplatform | Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nweb      | Plan: 1 to add, 0 to change, 0 to destroy.\n"),
        "{stdout}"
    );

    std::fs::remove_file(dir.path().join("order.log")).unwrap();
    let (code, _, stderr) = call(&["destroy", "--all", "--auto-approve"]);
    assert_eq!(code, 0, "{stderr}");
    let order = std::fs::read_to_string(dir.path().join("order.log")).unwrap();
    assert_eq!(order, "destroy web\ndestroy platform\ndestroy network\n");

    // A failing producer: its readers are not started, and the exit code is terraform's.
    let config = recording_terraform(dir.path(), "platform");
    let _ = config;
    std::fs::remove_file(dir.path().join("order.log")).unwrap();
    let (code, stdout, stderr) = call(&["apply", "web", "platform", "network", "--auto-approve"]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    let order = std::fs::read_to_string(dir.path().join("order.log")).unwrap();
    assert_eq!(order, "apply network\napply platform\n");
    assert!(
        stdout.contains("==> web: not started: stack platform did not succeed"),
        "{stdout}"
    );
    assert_eq!(
        summary_row(&stdout, "platform")[2..],
        [
            "1 to add, 0 to change, 0 to destroy",
            "failed (exit 3): terraform apply failed with exit code 3"
        ],
        "{stdout}"
    );
    assert_eq!(
        summary_row(&stdout, "web")[1..],
        ["-", "-", "not started: platform did not succeed"],
        "{stdout}"
    );
    // terraform's error reaches standard error, named by its stack, before tfsynth's.
    assert_eq!(
        stderr,
        "platform | Error: fake failure\nerror: terraform apply failed with exit code 3\n"
    );

    // A reader planned before its producer was applied: a clear message, and no terraform run.
    std::fs::remove_file(out.join("platform/terraform.tfstate")).unwrap();
    let (code, _, stderr) = call(&["plan", "web"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: stack web reads the outputs of stack platform, which has no state yet at "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("(hint: apply platform first, or both: many apply platform web)"),
        "{stderr}"
    );
}

#[test]
fn destroying_a_producer_needs_its_living_readers_in_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let config = recording_terraform(dir.path(), "none");
    let out = dir.path().join("out");
    let app = app();
    let call = caller(&app, &config, &out);
    let state = |stack: &str, text: &str| {
        std::fs::create_dir_all(out.join(stack)).unwrap();
        std::fs::write(out.join(stack).join("terraform.tfstate"), text).unwrap();
    };
    let living = r#"{"version": 4, "resources": [{"mode": "managed", "type": "terraform_data", "name": "app"}]}"#;
    state("network", living);
    state("platform", living);
    state("web", living);
    let (code, stdout, stderr) = call(&["destroy", "network", "--auto-approve"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "error: stack network is read by stack web, which is not in the selection and may still be deployed (hint: destroy the readers too: many destroy web platform network)\n\
         error: stack network is read by stack platform, which is not in the selection and may still be deployed (hint: destroy the readers too: many destroy web platform network)\n"
    );
    assert!(!dir.path().join("order.log").exists(), "nothing ran");
    assert!(
        !out.join("network/main.tf.json").exists(),
        "nothing written"
    );
    // A reader already destroyed (its state empty) or never applied is no obstacle.
    state("web", r#"{"version": 4, "resources": []}"#);
    std::fs::remove_file(out.join("platform/terraform.tfstate")).unwrap();
    let (code, stdout, stderr) = call(&["destroy", "network", "--auto-approve"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("order.log")).unwrap(),
        "destroy network\n"
    );
}

const A: StackOutput<String> = StackOutput::new("a", "value");
const B: StackOutput<String> = StackOutput::new("b", "value");

/// Two independent stacks and one reading both.
fn diamond() -> App {
    fn producer(out: &'static StackOutput<String>) -> impl Fn(&mut Stack) {
        move |stack: &mut Stack| {
            let data = stack.add(Resource::new("terraform_data", "v").set("input", "x"));
            stack.export(out, data.get::<String>("output"));
        }
    }
    App::new("many")
        .stack("c", "reads both", |stack: &mut Stack| {
            let a = stack.remote(&A);
            let b = stack.remote(&B);
            stack.add(Resource::new("terraform_data", "c").set("input", tfsynth::interp![a, b]));
        })
        .stack("a", "independent", producer(&A))
        .stack("b", "independent", producer(&B))
}

#[test]
fn independent_stacks_run_at_once_up_to_the_parallel_limit() {
    let app = diamond();
    let order_of = |parallel: &str| {
        let dir = tempfile::tempdir().unwrap();
        let config = terraform_script(dir.path(), "none", true);
        let out = dir.path().join("out");
        for stack in ["a", "b"] {
            std::fs::create_dir_all(out.join(stack)).unwrap();
            std::fs::write(out.join(stack).join("terraform.tfstate"), "{}").unwrap();
        }
        let call = caller(&app, &config, &out);
        let mut args = vec!["apply", "--all", "--auto-approve"];
        if !parallel.is_empty() {
            args.extend(["--parallel", parallel]);
        }
        let (code, stdout, stderr) = call(&args);
        assert_eq!(code, 0, "{stdout}{stderr}");
        for stack in ["a", "b", "c"] {
            assert_eq!(
                summary_row(&stdout, stack).last().unwrap(),
                "applied",
                "{stdout}"
            );
        }
        std::fs::read_to_string(dir.path().join("order.log")).unwrap()
    };
    // By default a and b start together; c waits for both.
    let order = order_of("");
    let lines: Vec<&str> = order.lines().collect();
    assert_eq!(lines.len(), 6, "{order}");
    let mut first_two = lines[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, ["apply a", "apply b"], "{order}");
    assert_eq!(lines[4..], ["apply c", "end c"], "{order}");
    // One at a time: each stack ends before the next starts.
    assert_eq!(
        order_of("1"),
        "apply a\nend a\napply b\nend b\napply c\nend c\n"
    );
}

#[test]
fn parallel_takes_1_to_64_stacks_at_once() {
    let app = diamond();
    let dir = tempfile::tempdir().unwrap();
    let config = recording_terraform(dir.path(), "none");
    let out = dir.path().join("out");
    let call = caller(&app, &config, &out);
    for bad in ["0", "65", "many"] {
        let (code, _, stderr) = call(&["plan", "--all", "--parallel", bad]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("--parallel"), "{bad}: {stderr}");
    }
}

/// Tagged Terraform Cloud workspaces: the cloud block selects by the tags,
/// terraform is told the stack's own workspace, and readers read that
/// workspace by name.
#[test]
fn tagged_cloud_workspaces_are_named_for_terraform_and_readers() {
    let app = diamond();
    let dir = tempfile::tempdir().unwrap();
    let config = recording_terraform(dir.path(), "none");
    let mut text = std::fs::read_to_string(&config).unwrap();
    for stack in ["a", "b", "c"] {
        text.push_str(&format!(
            "[stacks.{stack}.backend]\ntype = \"cloud\"\norganization = \"acme\"\nhostname = \"127.0.0.1:9\"\nproject = \"shop\"\nworkspace = \"{{project}}-{{stack}}\"\nworkspace_tags = [\"tfsynth\", \"stack:{{stack}}\"]\n"
        ));
    }
    std::fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    let call = caller(&app, &config, &out);
    let (code, stdout, stderr) = call(&["plan", "a", "b"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = call(&["output", "a"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |stack: &str| -> Json {
        serde_json::from_str(
            &std::fs::read_to_string(out.join(stack).join("main.tf.json")).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        read("a")["terraform"]["cloud"]["workspaces"],
        json!({"tags": ["tfsynth", "stack:a"], "project": "shop"})
    );
    let log = std::fs::read_to_string(dir.path().join("terraform.log")).unwrap();
    for stack in ["a", "b"] {
        let cwd = format!("cwd {}\n", out.join(stack).display());
        let calls = log.matches(&cwd).count();
        let named = log
            .matches(&format!(
                "{cwd}env TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_WORKSPACE=shop-{stack}\n"
            ))
            .count();
        assert!(
            calls >= 2 + usize::from(stack == "a") && named == calls,
            "{stack}: {log}"
        );
    }
    // The reader reads each producer's workspace by its name.
    let (code, _, stderr) = call(&["synth", "c"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        read("c")["data"]["terraform_remote_state"]["a"]["config"],
        json!({"organization": "acme", "workspaces": {"name": "shop-a"}, "hostname": "127.0.0.1:9"})
    );
    let (code, stdout, _) = call(&["config", "a"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("cloud (organization acme, workspace shop-a tagged tfsynth, stack:a)"),
        "{stdout}"
    );
}

#[test]
fn a_handle_of_another_stack_is_never_bound_to_a_block_of_this_one() {
    let mut platform = Stack::new("platform");
    let key = platform.add(Resource::new("aws_kms_key", "logs"));
    // The same address in the other stack: before, the reference bound to it silently.
    let mut web = Stack::new("web");
    web.add(Resource::new("aws_kms_key", "logs"));
    web.add(Resource::new("aws_s3_bucket", "b").set("kms", key.attr("arn")));
    let err = web.synth().unwrap_err().to_string();
    assert!(
        err.contains("aws_s3_bucket.b references aws_kms_key.logs through a handle of stack platform, and a handle names a block of its own stack only (hint: export the value from platform with a StackOutput and read it here with stack.remote(..))"),
        "{err}"
    );
    assert!(!err.contains("not declared"), "one problem, not two: {err}");
    // Nor a depends_on.
    let mut other = Stack::new("other");
    other.add(Resource::new("aws_kms_key", "logs"));
    other.add(Resource::new("aws_s3_bucket", "c").depends_on(&key, "the key first"));
    let err = other.synth().unwrap_err().to_string();
    assert!(
        err.contains(
            "aws_s3_bucket.c references aws_kms_key.logs through a handle of stack platform"
        ),
        "{err}"
    );
    // In its own stack the handle is what it always was.
    platform.add(Resource::new("aws_s3_bucket", "b").set("kms", key.attr("arn")));
    let json: Json = serde_json::from_str(&platform.synth().unwrap().json).unwrap();
    assert_eq!(
        json["resource"]["aws_s3_bucket"]["b"]["kms"],
        json!("${aws_kms_key.logs.arn}")
    );
    assert_eq!(key.stack(), Some("platform"));
}
