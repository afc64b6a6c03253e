//! Two stacks that share through their state: `platform` owns a KMS key
//! and an alarm topic encrypted with it; `service` reads both from the
//! platform's state (`StackOutput`, `Stack::remote`) for its encrypted
//! queue, subscribed to the topic. `service apply` needs `platform`
//! applied; `--all` runs them in that order and destroys them in reverse.
//!
//! `cargo run --example many_stacks -- --config many_stacks.toml apply --all`

use std::process::ExitCode;

use tfsynth::config::Settings;
use tfsynth::{App, Expr, Node, Output, Provider, Stack, StackOutput, func, interp};
use tfsynth_aws::data::DataAwsCallerIdentity;
use tfsynth_aws::resource::{
    AwsKmsKey, AwsSnsTopic, AwsSnsTopicSubscription, AwsSnsTopicSubscriptionArgs, AwsSqsQueue,
    AwsSqsQueuePolicy, AwsSqsQueuePolicyArgs,
};

/// The key every other stack encrypts with.
pub const KEY_ARN: StackOutput<String> = StackOutput::new("platform", "key_arn");
/// Where alarms go.
pub const TOPIC_ARN: StackOutput<String> = StackOutput::new("platform", "alarm_topic_arn");

/// The keys both stacks take.
#[derive(Settings)]
struct Shared {
    /// AWS region
    #[setting(default = "us-east-1")]
    region: String,
    /// send every AWS API call to this emulator URL (moto, LocalStack)
    emulator_endpoint: Option<String>,
}

/// The AWS provider, pointed at the emulator when one is configured; last,
/// so its endpoints cover every service the stack uses.
fn provider(stack: &mut Stack, config: &Shared) {
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    let mut provider = Provider::new("aws").set("region", config.region.as_str());
    if let Some(url) = &config.emulator_endpoint {
        for (key, value) in tfsynth_modules::emulator::aws_provider_settings(stack, url) {
            provider = provider.set(key, value);
        }
    }
    stack.add(provider);
}

fn platform(stack: &mut Stack, config: &Shared) {
    let account = stack.add(DataAwsCallerIdentity::new("current"));
    // The account administers the key; SNS may use it to deliver to encrypted queues.
    let policy = func::jsonencode(Node::map_of([
        ("Version", Node::from("2012-10-17")),
        (
            "Statement",
            Node::list_of([
                Node::map_of([
                    ("Sid", Node::from("AccountAdministers")),
                    ("Effect", Node::from("Allow")),
                    (
                        "Principal",
                        Node::map_of([(
                            "AWS",
                            Node::from(interp!["arn:aws:iam::", account.account_id(), ":root"]),
                        )]),
                    ),
                    ("Action", Node::from("kms:*")),
                    ("Resource", Node::from("*")),
                ]),
                Node::map_of([
                    ("Sid", Node::from("SnsDeliversToEncryptedQueues")),
                    ("Effect", Node::from("Allow")),
                    (
                        "Principal",
                        Node::map_of([("Service", Node::from("sns.amazonaws.com"))]),
                    ),
                    (
                        "Action",
                        Node::list_of([
                            Node::from("kms:GenerateDataKey*"),
                            Node::from("kms:Decrypt"),
                        ]),
                    ),
                    ("Resource", Node::from("*")),
                ]),
            ]),
        ),
    ]));
    let key = stack.add(
        AwsKmsKey::new("shared")
            .description("the platform's key for every stack")
            .enable_key_rotation(true)
            .deletion_window_in_days(7)
            .policy(policy),
    );
    let topic = stack.add(
        AwsSnsTopic::new("alarms")
            .name("platform-alarms")
            .kms_master_key_id(key.arn()),
    );
    stack.export(&KEY_ARN, key.arn());
    stack.export(&TOPIC_ARN, topic.arn());
    provider(stack, config);
}

fn service(stack: &mut Stack, config: &Shared) {
    let key_arn = stack.remote(&KEY_ARN);
    let topic_arn = stack.remote(&TOPIC_ARN);
    let queue = stack.add(
        AwsSqsQueue::new("alarms")
            .name("service-alarms")
            .kms_master_key_id(key_arn.clone()),
    );
    let policy = func::jsonencode(Node::map_of([
        ("Version", Node::from("2012-10-17")),
        (
            "Statement",
            Node::list_of([Node::map_of([
                ("Sid", Node::from("TopicSends")),
                ("Effect", Node::from("Allow")),
                (
                    "Principal",
                    Node::map_of([("Service", Node::from("sns.amazonaws.com"))]),
                ),
                ("Action", Node::from("sqs:SendMessage")),
                ("Resource", Node::from(queue.arn())),
                (
                    "Condition",
                    Node::map_of([(
                        "ArnEquals",
                        Node::map_of([("aws:SourceArn", Node::from(topic_arn.clone()))]),
                    )]),
                ),
            ])]),
        ),
    ]));
    stack.add(AwsSqsQueuePolicy::new(
        "alarms",
        AwsSqsQueuePolicyArgs {
            queue_url: queue.url(),
            policy: policy.into(),
        },
    ));
    stack.add(AwsSnsTopicSubscription::new(
        "alarms",
        AwsSnsTopicSubscriptionArgs {
            endpoint: queue.arn(),
            protocol: "sqs".into(),
            topic_arn: topic_arn.clone(),
        },
    ));
    stack.add(Output::new("queue_url", queue.url()));
    stack.add(Output::new("topic_arn", topic_arn));
    stack.add(Output::new("key_arn", Expr::from(key_arn)));
    provider(stack, config);
}

fn main() -> ExitCode {
    App::new("many_stacks")
        .provider(&tfsynth_aws::PROVIDER)
        .policy(tfsynth_modules::policy::AWS)
        .settings_stack("platform", "The shared KMS key and alarm topic", platform)
        .settings_stack(
            "service",
            "An encrypted queue on the platform's topic",
            service,
        )
        .run()
}
