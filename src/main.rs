//! The `tfsynth` binary: the library's command line over the stacks in `modules/`.

#[path = "../modules/mod.rs"]
mod modules;

fn main() -> std::process::ExitCode {
    modules::app().run()
}
