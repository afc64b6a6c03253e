//! The `Examples:` under each command's help, written with the
//! application's own name and stacks, so a user's program shows commands
//! that work for it.

use crate::app::App;

/// What the examples are written with: the program's name and a few of its
/// stacks and configuration keys.
struct Names {
    app: String,
    /// The first stack (`STACK` when there is none).
    first: String,
    /// Another stack for variety, else the first.
    second: String,
    /// A stack with configuration and one of its keys with a value, if any.
    configured: Option<(String, String, String)>,
}

impl Names {
    fn of(app: &App) -> Names {
        let stacks = app.stacks();
        let first = stacks.first().map_or("STACK", |d| d.name()).to_owned();
        let second = stacks
            .get(1)
            .map_or(first.as_str(), |d| d.name())
            .to_owned();
        // A whole-number key reads best (`--set asg_max=4`), else any with an example.
        let example = |whole: bool| {
            stacks.iter().find_map(|def| {
                def.spec().keys().iter().find_map(|k| {
                    let value = k.example()?;
                    (!whole || value.parse::<i64>().is_ok())
                        .then(|| (def.name().to_owned(), k.name().to_owned(), value))
                })
            })
        };
        let configured = example(true).or_else(|| example(false));
        Names {
            app: app.name().to_owned(),
            first,
            second,
            configured,
        }
    }

    fn block(&self, lines: &[String]) -> String {
        let mut text = String::from(if lines.len() == 1 {
            "Example:"
        } else {
            "Examples:"
        });
        for line in lines {
            text.push_str("\n  ");
            text.push_str(&self.app);
            text.push(' ');
            text.push_str(line);
        }
        text
    }

    /// The examples of one command (`""` for the top level).
    fn of_command(&self, command: &str) -> Option<String> {
        let (a, b) = (&self.first, &self.second);
        let set = self
            .configured
            .as_ref()
            .map(|(stack, key, value)| (stack.clone(), format!("--set {key}={value}")));
        let lines: Vec<String> = match command {
            "" => {
                let mut lines = vec![
                    "list".into(),
                    "synth".into(),
                    format!("synth {a} --out build"),
                ];
                if let Some((stack, set)) = &set {
                    lines.push(format!("synth {stack} {set}"));
                    lines.push(format!("config {stack}"));
                }
                lines.push("validate".into());
                lines
            }
            "synth" => vec![
                "synth".into(),
                format!("synth {a}"),
                format!("synth {a} --out build"),
            ],
            "list" => vec!["list".into()],
            "validate" => vec![
                "validate".into(),
                format!("validate {a}"),
                format!("validate --file out/{a}/main.tf.json"),
            ],
            "config" => match &set {
                Some((stack, set)) => {
                    vec![format!("config {stack}"), format!("config {stack} {set}")]
                }
                None => vec![format!("config {a}")],
            },
            "init" => vec!["init".into(), format!("init {a} -- -upgrade")],
            "plan" => vec![format!("plan {a}"), format!("plan {b} -- -refresh=false")],
            "apply" => vec![format!("apply {b}"), format!("apply {a} --auto-approve")],
            "destroy" => vec![
                format!("destroy {b}"),
                format!("destroy {b} --auto-approve"),
            ],
            "output" => vec![
                format!("output {b}"),
                format!("output {a} --json"),
                format!("output {b} -- OUTPUT_NAME"),
            ],
            "graph" => vec![
                format!("graph {a}"),
                format!("graph {b} --format dot > {b}.dot"),
                format!("graph {a} --format svg > {a}.svg"),
            ],
            _ => return None,
        };
        Some(self.block(&lines))
    }
}

/// Sets the examples of the top level and of every built-in command.
pub fn add(command: clap::Command, app: &App) -> clap::Command {
    let names = Names::of(app);
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    let mut command = match names.of_command("") {
        Some(text) => command.after_help(text),
        None => command,
    };
    for name in subcommands {
        if let Some(text) = names.of_command(&name) {
            command = command.mut_subcommand(&name, |c| c.after_help(text));
        }
    }
    command
}
