//! The `tfsynth` binary: the library's command line over the stacks in
//! `src/stacks/`, built from the constructs of `tfsynth-modules`.

mod get;
mod new;
mod project;
mod stacks;

/// The `tfsynth` application: every stack this repository defines.
pub fn app() -> tfsynth::App {
    tfsynth::App::new("tfsynth")
        .provider(&tfsynth_aws::PROVIDER)
        .policy(tfsynth_modules::policy::AWS)
        .durations(tfsynth_modules::durations::AWS)
        .command(get::command(), get::run)
        .command(new::command(), new::run)
        .stack("demo", "Demonstration: a VPC with two subnets in two availability zones", stacks::demo::build)
        .settings_stack(
            "financial",
            "Financial services: 3-AZ VPC, ALB + auto scaling web tier, encrypted RDS MySQL and S3, flow logs, alarms",
            stacks::financial::build,
        )
        .settings_stack(
            "serverless",
            "Serverless order intake: HTTP API, schedule and S3 uploads through SQS into a Lambda function and a DynamoDB table",
            stacks::serverless::build,
        )
        .settings_stack(
            "webapp",
            "Web application: default VPC, ALB + auto scaling group with CPU target tracking, SNS health alarm",
            stacks::webapp::build,
        )
}

fn main() -> std::process::ExitCode {
    app().run()
}
