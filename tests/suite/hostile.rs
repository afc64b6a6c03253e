//! What a hostile or careless user can throw at tfsynth beyond the bad
//! configuration corpus (`hardening.rs`): environments that are not text,
//! endless or special files, expressions of absurd length, values planted
//! through every key and channel, output that cannot be written, and blocks
//! terraform reads literally.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use super::support::{Terraform, repo_config, tfsynth, tree};

fn not_utf8(text: &str) -> &OsStr {
    // A lone 0xff byte is never valid UTF-8.
    let bytes: &'static [u8] = Box::leak([text.as_bytes(), b"\xff"].concat().into_boxed_slice());
    OsStr::from_bytes(bytes)
}

fn fake_terraform() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-terraform")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Fails unless `output` is one `error:` line containing `expected`, with
/// exit code `code` and no panic.
#[track_caller]
fn one_error(output: &Output, code: i32, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains(expected),
        "wanted {expected:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn variables_that_are_not_text_stop_nothing_tfsynth_does_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let log = dir.path().join("terraform.log");
    let commands: &[&[&str]] = &[
        &["synth"],
        &["list"],
        &["config", "webapp"],
        &["validate", "webapp"],
        &["graph", "webapp"],
        &["plan", "demo"],
        &["output", "demo"],
    ];
    for args in commands {
        let output = tfsynth()
            .args(*args)
            .arg("--out")
            .arg(&out)
            .env("LANG_NOT_OURS", not_utf8("x"))
            .env("TFSYNTH_NOT_A_STACK", not_utf8("y"))
            .env("TFSYNTH_TERRAFORM", fake_terraform())
            .env("FAKE_TF_LOG", &log)
            .env_remove("TFSYNTH_PLUGIN_DIR")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(&output));
    }
}

#[test]
fn a_variable_tfsynth_reads_is_named_when_its_value_is_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let log = dir.path().join("terraform.log");
    for (var, args, expected) in [
        (
            "TFSYNTH_WEBAPP_OWNER",
            &["synth", "webapp"][..],
            "environment variable TFSYNTH_WEBAPP_OWNER: the value is not valid UTF-8",
        ),
        // A variable of a stack that is not being synthesized is still read.
        (
            "TFSYNTH_WEBAPP_OWNER",
            &["synth", "demo"][..],
            "environment variable TFSYNTH_WEBAPP_OWNER: the value is not valid UTF-8",
        ),
        (
            "TFSYNTH_ENV",
            &["synth", "webapp"][..],
            "environment variable TFSYNTH_ENV: the value is not valid UTF-8",
        ),
        (
            "TFSYNTH_TERRAFORM_TIMEOUT",
            &["plan", "demo"][..],
            "environment variable TFSYNTH_TERRAFORM_TIMEOUT: expected a whole number of seconds",
        ),
    ] {
        let output = tfsynth()
            .args(args)
            .arg("--out")
            .arg(&out)
            .env(var, not_utf8("v"))
            .env("TFSYNTH_TERRAFORM", fake_terraform())
            .env("FAKE_TF_LOG", &log)
            .env_remove("TFSYNTH_PLUGIN_DIR")
            .output()
            .unwrap();
        one_error(&output, 2, expected);
    }
    assert!(
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .all(|l| !l.starts_with("call") || l.starts_with("call version")),
        "nothing ran"
    );
    // Paths may be any bytes the system allows.
    let odd = dir.path().join(not_utf8("odd"));
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::copy(fake_terraform(), odd.join("terraform")).unwrap();
    let output = tfsynth()
        .args(["plan", "demo"])
        .env("TFSYNTH_OUT", odd.join("out"))
        .env("TFSYNTH_TERRAFORM", odd.join("terraform"))
        .env("FAKE_TF_LOG", &log)
        .env_remove("TFSYNTH_PLUGIN_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(odd.join("out/demo/main.tf.json").is_file());
}

#[test]
fn an_empty_variable_is_named_not_blamed_on_a_flag() {
    for (var, what) in [
        ("TFSYNTH_CONFIG", "the configuration file's path"),
        ("TFSYNTH_OUT", "the output directory"),
        ("TFSYNTH_ENV", "the environment's name"),
    ] {
        let output = tfsynth().arg("synth").env(var, "").output().unwrap();
        one_error(
            &output,
            2,
            &format!("environment variable {var} is empty (hint: give {what}, or unset it)"),
        );
        assert!(!text(&output).contains("--config"), "{}", text(&output));
    }
}

#[test]
fn operator_chains_of_any_length_are_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    for (op, operands, fine) in [
        ("+", 50_000, false),
        ("&&", 50_000, false),
        ("==", 50_000, false),
        ("+", 200, true),
    ] {
        let template = format!("${{{}}}", vec!["1"; operands].join(op));
        let file = dir.path().join("chain.tf.json");
        std::fs::write(
            &file,
            serde_json::json!({"locals": {"a": template}}).to_string(),
        )
        .unwrap();
        let output = tfsynth()
            .args(["validate", "--file"])
            .arg(&file)
            .output()
            .unwrap();
        let all = text(&output);
        if fine {
            assert_eq!(output.status.code(), Some(0), "{op} x{operands}: {all}");
        } else {
            assert_eq!(output.status.code(), Some(2), "{op} x{operands}: {all}");
            assert!(
                all.contains("local.a: /locals/a: cannot parse the template")
                    && all.contains("more than 256 operators in a row"),
                "{all}"
            );
        }
    }
}

const PLANTED: &str = "Pl4nted-S3cret-9f2c";

/// A way in for a value: its name, extra arguments, an environment
/// variable, and the configuration file's text.
type Channel<'a> = (&'a str, Vec<String>, Option<(&'a str, &'a str)>, &'a str);

/// Every key of every stack, from `tfsynth config STACK --keys`.
fn every_key() -> Vec<(String, String)> {
    let list = tfsynth().arg("list").output().unwrap();
    let mut keys = Vec::new();
    for line in String::from_utf8_lossy(&list.stdout).lines() {
        let stack = line.split_whitespace().next().unwrap().to_owned();
        let table = tfsynth()
            .args(["config", &stack, "--keys"])
            .output()
            .unwrap();
        for row in String::from_utf8_lossy(&table.stdout).lines() {
            if let Some(key) = row.strip_prefix("| `").and_then(|r| r.split('`').next()) {
                keys.push((stack.clone(), key.to_owned()));
            }
        }
    }
    keys
}

/// A value planted in any key, through `--set`, an environment variable or
/// the configuration file, is never repeated in any message, whether the
/// key takes it or a rule or type check refuses it.
#[test]
fn a_planted_value_is_never_repeated_for_any_key_or_channel() {
    let keys = every_key();
    assert!(keys.len() >= 60, "{} keys", keys.len());
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(repo_config()).unwrap();
    let config = dir.path().join("tfsynth.toml");
    // Shapes that get past the first checks of many keys, so the rules
    // that follow see the value too.
    let values = [
        PLANTED.to_owned(),
        format!("{}.example.com", PLANTED.to_lowercase()),
        format!("arn:aws:acm:us-east-1:123456789012:certificate/{PLANTED}"),
        format!("a@b.c,{PLANTED}"),
        format!("10.0.0.0/{PLANTED}"),
    ];
    let mut refused = 0;
    let mut runs = 0;
    for (stack, key) in &keys {
        for value in &values {
            let var = format!("TFSYNTH_{}_{}", stack.to_uppercase(), key.to_uppercase());
            let in_file = base.replacen(
                &format!("[stacks.{stack}]\n"),
                &format!(
                    "[stacks.{stack}]\n{key} = {}\n",
                    serde_json::Value::String(value.clone())
                ),
                1,
            );
            let channels: [Channel; 3] = [
                (
                    "--set",
                    vec!["--set".into(), format!("{stack}.{key}={value}")],
                    None,
                    &base,
                ),
                (
                    "environment",
                    vec![],
                    Some((var.as_str(), value.as_str())),
                    &base,
                ),
                ("file", vec![], None, &in_file),
            ];
            for (channel, extra, env, file_text) in channels {
                if channel == "file" && !base.contains(&format!("[stacks.{stack}]\n")) {
                    continue;
                }
                std::fs::write(&config, file_text).unwrap();
                let mut cmd = tfsynth();
                cmd.env("TFSYNTH_CONFIG", &config)
                    .args(["synth", stack.as_str(), "--out"])
                    .arg(dir.path().join("out"))
                    .args(&extra);
                if let Some((k, v)) = env {
                    cmd.env(k, v);
                }
                let output = cmd.output().unwrap();
                runs += 1;
                let all = text(&output);
                if !output.status.success() {
                    refused += 1;
                    assert_eq!(
                        output.status.code(),
                        Some(2),
                        "{stack}.{key} via {channel}: {all}"
                    );
                }
                assert!(
                    !all.contains(PLANTED) && !all.contains(&PLANTED.to_lowercase()),
                    "{stack}.{key} via {channel} repeated the value: {all}"
                );
            }
        }
    }
    assert!(
        refused * 2 > runs,
        "most plants are refused ({refused} of {runs}), so the messages were seen"
    );
}

#[test]
fn special_and_endless_files_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let huge = dir.path().join("huge.tf.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let fifo = fifo.to_str().unwrap();
    let huge = huge.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    for (args, expected) in [
        (
            vec!["synth", "--config", "/dev/zero"],
            "/dev/zero: cannot read the configuration file: not a regular file",
        ),
        (vec!["synth", "--config", fifo], "not a regular file"),
        (
            vec!["validate", "--file", "/dev/zero"],
            "cannot read /dev/zero: not a regular file",
        ),
        (vec!["validate", "--file", fifo], "not a regular file"),
        (vec!["validate", "--file", huge], "larger than 64 MiB"),
        (
            vec!["graph", "webapp", "--durations", "/dev/zero", "--out", out],
            "/dev/zero: not a regular file",
        ),
        (
            vec!["graph", "webapp", "--durations", fifo, "--out", out],
            "not a regular file",
        ),
    ] {
        let start = Instant::now();
        let output = tfsynth().args(&args).output().unwrap();
        one_error(&output, 2, expected);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{args:?} read for long"
        );
    }
}

#[test]
fn a_fifo_in_place_of_main_tf_json_is_refused_not_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let stack_dir = dir.path().join("out/demo");
    std::fs::create_dir_all(&stack_dir).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(stack_dir.join("main.tf.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"))
        .args(["synth", "demo", "--out"])
        .arg(dir.path().join("out"))
        .env("TFSYNTH_CONFIG", repo_config())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("synth hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    one_error(
        &output,
        2,
        "main.tf.json: it exists and is not a regular file (hint: move it away",
    );
}

#[test]
fn a_failing_multi_stack_synthesis_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    tfsynth()
        .args(["synth", "demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    std::fs::write(out.join("demo/main.tf.json"), "{\"previous\": true}").unwrap();
    // webapp's folder cannot be made: a file holds its name.
    std::fs::write(out.join("webapp"), "in the way").unwrap();
    let before = tree(&out);
    let output = tfsynth()
        .args([
            "synth",
            "demo",
            "financial",
            "webapp",
            "serverless",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    one_error(&output, 2, "cannot write to output directory");
    assert!(text(&output).contains("out/webapp"), "{}", text(&output));
    assert_eq!(tree(&out), before, "out/ changed");
    assert!(!out.join("financial").exists() && !out.join("serverless").exists());
}

#[test]
fn stale_temporaries_of_ours_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let stack = out.join("demo");
    std::fs::create_dir_all(&stack).unwrap();
    std::fs::write(stack.join(".main.tf.json.k1Ll3d.tmp"), "half a file").unwrap();
    std::fs::write(stack.join("notes.tmp"), "the user's").unwrap();
    tfsynth()
        .args(["synth", "demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&stack)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [".tfsynth", "main.tf.json", "notes.tmp"]);
}

#[test]
fn output_that_cannot_be_written_fails_the_command() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"))
        .args(["graph", "webapp", "--format", "json", "--out"])
        .arg(dir.path())
        .env("TFSYNTH_CONFIG", repo_config())
        .stdout(full)
        .output()
        .unwrap();
    one_error(
        &output,
        1,
        "cannot write the output: No space left on device",
    );
    // A reader that leaves early is not an error worth a message.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"))
        .args(["graph", "webapp", "--out"])
        .arg(dir.path())
        .env("TFSYNTH_CONFIG", repo_config())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).is_empty());
}

#[test]
fn settings_of_stacks_not_being_synthesized_are_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (args, env, expected) in [
        (
            &["--set", "webapp.asg_max=abc"][..],
            None,
            "stack webapp: --set webapp.asg_max: expected an integer",
        ),
        (
            &["--set", "webapp.asg_maxx=3"][..],
            None,
            "stack webapp: --set webapp.asg_maxx: stack webapp has no configuration key \"asg_maxx\" (did you mean \"asg_max\"?)",
        ),
        (
            &[][..],
            Some(("TFSYNTH_WEBAPP_ASG_MAXX", "3")),
            "environment variable TFSYNTH_WEBAPP_ASG_MAXX: stack webapp has no configuration key \"asg_maxx\" (did you mean TFSYNTH_WEBAPP_ASG_MAX?)",
        ),
    ] {
        let mut cmd = tfsynth();
        cmd.args(["synth", "demo", "--out"]).arg(&out).args(args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        one_error(&output, 2, expected);
        assert!(!out.exists(), "nothing written");
    }
    // A plain KEY=VALUE applies to the selected stacks only.
    tfsynth()
        .args(["synth", "webapp", "--set", "asg_max=4", "--out"])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn the_terraform_table_and_durations_are_checked_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(repo_config()).unwrap();
    let config = dir.path().join("tfsynth.toml");
    for (extra, expected) in [
        (
            "[terraform]\nfrobnicate = 1\n",
            "[terraform] frobnicate: unknown setting \"frobnicate\"; [terraform] takes binary and plugin_dir",
        ),
        (
            "[terraform]\nplugin_dir = 5\n",
            "[terraform] plugin_dir: expected a string, found an integer",
        ),
        (
            "[terraform]\nbinary = [\"a\"]\n",
            "[terraform] binary: expected a string, found a list of strings",
        ),
    ] {
        std::fs::write(&config, format!("{base}\n{extra}")).unwrap();
        let output = tfsynth()
            .env("TFSYNTH_CONFIG", &config)
            .args(["synth", "demo", "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        one_error(&output, 2, expected);
    }
    let durations = dir.path().join("durations.toml");
    for (text, fine) in [
        ("aws_instance = 1e308\n", false),
        ("aws_instance = -1\n", false),
        ("aws_instance = 31536001\n", false),
        ("aws_instance = \"nan\"\n", false),
        ("aws_instance = 31536000\n", true),
    ] {
        std::fs::write(&durations, text).unwrap();
        let output = tfsynth()
            .args(["graph", "webapp", "--durations"])
            .arg(&durations)
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        if fine {
            assert!(output.status.success(), "{text}: {}", self::text(&output));
        } else {
            one_error(
                &output,
                2,
                "aws_instance: expected a number of seconds from 0 to 31536000",
            );
        }
    }
}

#[test]
fn alarm_emails_are_checked_as_sns_does() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["[\"a@b.c\"]", "a@b.c\"", ",,", "a@b", "a b@c.d", "@b.c"] {
        let output = tfsynth()
            .args(["synth", "webapp", "--out"])
            .arg(dir.path())
            .arg("--set")
            .arg(format!("webapp.alarm_emails={bad}"))
            .output()
            .unwrap();
        one_error(&output, 2, "--set webapp.alarm_emails:");
        assert!(!text(&output).contains(bad), "{bad}: {}", text(&output));
    }
    tfsynth()
        .args(["synth", "webapp", "--out"])
        .arg(dir.path())
        .args([
            "--set",
            "webapp.alarm_emails=ops@example.com,oncall+web@example.co.uk",
        ])
        .assert()
        .success();
}

#[test]
fn usage_errors_are_one_line_with_the_usage() {
    for args in [
        &["synth", "--frobnicate"][..],
        &["graph"][..],
        &["validate", "--policy", "sometimes"][..],
        &["plan", "demo", "--auto-approve"][..],
    ] {
        let output = tfsynth().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ")
                && (stderr.contains("(usage: tfsynth ") || stderr.contains("(see --help)")),
            "{stderr}"
        );
    }
}

/// Backend settings go into the terraform block, which terraform reads
/// literally: a template sequence is refused from the configuration file and
/// from Rust, and other text reaches terraform unescaped.
#[test]
fn backend_values_are_literal_and_template_sequences_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(repo_config()).unwrap();
    let config = dir.path().join("tfsynth.toml");
    std::fs::write(
        &config,
        format!(
            "{base}\n[stacks.financial.backend]\ntype = \"s3\"\nbucket = \"b\"\nkey = \"state/${{var.env}}/x\"\nregion = \"us-east-1\"\n"
        ),
    )
    .unwrap();
    let output = tfsynth()
        .env("TFSYNTH_CONFIG", &config)
        .args(["synth", "financial", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    one_error(
        &output,
        2,
        "[stacks.financial] backend: s3 backend: key holds `${` or `%{`; a backend takes no templates",
    );

    let mut stack = tfsynth::Stack::new("literal");
    stack.backend(tfsynth::Backend::Local {
        path: Some("a/${x}.tfstate".into()),
    });
    let err = stack.synth().unwrap_err().to_string();
    assert!(
        err.contains("terraform.backend.local.path: holds `${` or `%{`"),
        "{err}"
    );

    // `$` and `%` alone are ordinary characters, written as given.
    let path = "st$te/100%-$HOME.tfstate";
    let mut stack = tfsynth::Stack::new("literal");
    stack.backend(tfsynth::Backend::Local {
        path: Some(path.into()),
    });
    stack.add(tfsynth::Resource::new("terraform_data", "marker").set("input", "kept"));
    let json = stack.synth().unwrap().json;
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["terraform"]["backend"]["local"]["path"], path);
    let Some(tf) = Terraform::find("backend_values_are_literal_and_template_sequences_are_refused")
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("main.tf.json"), json).unwrap();
    tf.ok(work.path(), &["init", "-input=false", "-no-color"]);
    tf.ok(
        work.path(),
        &["apply", "-input=false", "-no-color", "-auto-approve"],
    );
    let state = std::fs::read_to_string(work.path().join(path)).unwrap();
    assert!(state.contains("terraform_data"), "{state}");
}
