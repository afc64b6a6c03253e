//! The serverless stack: order intake on AWS's managed services. An HTTP
//! API (API Gateway v2) and a schedule (EventBridge) invoke a Lambda
//! function; files uploaded to an S3 bucket notify an SQS queue (with a
//! dead-letter queue) that the function consumes; every order lands in a
//! DynamoDB table. The function's code is an asset, zipped at synthesis,
//! whose hash redeploys it when, and only when, the code changes.

use tfsynth::config::{ConfigValue, Settings};
use tfsynth::{Asset, ResourceBlock, Stack, Value, func, interp};
use tfsynth_aws::data::aws_iam_policy_document::Statement;
use tfsynth_aws::resource::aws_apigatewayv2_stage::{AccessLogSettings, AccessLogSettingsArgs};
use tfsynth_aws::resource::aws_dynamodb_table::{
    Attribute, AttributeArgs, PointInTimeRecovery, ServerSideEncryption,
};
use tfsynth_aws::resource::aws_lambda_function::{Environment, TracingConfig};
use tfsynth_aws::resource::aws_s3_bucket_notification::{Queue, QueueArgs};
use tfsynth_aws::resource::{
    AwsApigatewayv2Api, AwsApigatewayv2ApiArgs, AwsApigatewayv2Integration,
    AwsApigatewayv2IntegrationArgs, AwsApigatewayv2Route, AwsApigatewayv2RouteArgs,
    AwsApigatewayv2Stage, AwsApigatewayv2StageArgs, AwsCloudwatchEventRule,
    AwsCloudwatchEventTarget, AwsCloudwatchEventTargetArgs, AwsCloudwatchLogGroup,
    AwsDynamodbTable, AwsLambdaEventSourceMapping, AwsLambdaFunction, AwsLambdaFunctionArgs,
    AwsLambdaPermission, AwsLambdaPermissionArgs, AwsS3BucketNotification, AwsSqsQueue,
    AwsSqsQueuePolicy, AwsSqsQueuePolicyArgs,
};
use tfsynth_modules::iam::{condition, principals, service_role};
use tfsynth_modules::rules as aws_rules;
use tfsynth_modules::storage::secure_bucket;

use super::common::{self, Identity};

/// The function's code, embedded so the binary synthesizes anywhere.
const HANDLER: &[u8] = include_bytes!("serverless/handler.py");

/// How long the function may run; the queue hides a message six times as long.
const TIMEOUT_SECONDS: i64 = 30;

/// The configuration of the serverless stack.
#[derive(Settings)]
#[settings(check(
    "S3 bucket naming rules",
    [uploads_bucket_name, identity.project, identity.environment],
    uploads_bucket_named
))]
pub struct Serverless {
    #[setting(flatten)]
    pub identity: Identity,
    /// EventBridge schedule of the stale-order sweep
    #[setting(
        default = "rate(5 minutes)",
        rule("schedule expression", schedule_rule)
    )]
    pub sweep_schedule: String,
    /// uploads bucket (default: <project>-<environment>-uploads)
    pub uploads_bucket_name: Option<String>,
    /// CloudWatch Logs retention in days
    #[setting(default = 30, rule("CloudWatch retention", aws_rules::log_retention))]
    pub log_retention_days: i64,
    /// send every AWS API call to this emulator URL (moto, LocalStack)
    #[setting(rule("http(s) URL", common::url_rule))]
    pub emulator_endpoint: Option<String>,
}

fn uploads_bucket_named(c: &Serverless) -> Result<(), String> {
    aws_rules::s3_bucket_name(&ConfigValue::String(
        c.identity
            .bucket_name("uploads", c.uploads_bucket_name.as_deref()),
    ))
}

/// `rate(...)` or `cron(...)`, as EventBridge takes them.
fn schedule_rule(value: &ConfigValue) -> Result<(), String> {
    let ConfigValue::String(s) = value else {
        return Ok(());
    };
    let inner = s
        .strip_prefix("rate(")
        .or_else(|| s.strip_prefix("cron("))
        .and_then(|rest| rest.strip_suffix(')'));
    match inner {
        Some(body) if !body.trim().is_empty() => Ok(()),
        _ => {
            Err("not an EventBridge schedule such as rate(5 minutes) or cron(0 12 * * ? *)".into())
        }
    }
}

/// Adds the serverless stack's blocks.
pub fn build(stack: &mut Stack, config: &Serverless) {
    let name = config.identity.name();
    let retention = config.log_retention_days;

    let table = stack.add(
        AwsDynamodbTable::new("orders", format!("{name}-orders"))
            .billing_mode("PAY_PER_REQUEST")
            .hash_key("pk")
            .attribute(Attribute::new(AttributeArgs {
                name: "pk".into(),
                r#type: "S".into(),
            }))
            .point_in_time_recovery(PointInTimeRecovery::new(true))
            .server_side_encryption(ServerSideEncryption::new(true))
            .deletion_protection_enabled(true)
            .tags(tfsynth_modules::name_tags(&format!("{name}-orders"))),
    );
    let dead_letters = stack.add(
        AwsSqsQueue::new("orders_dlq")
            .name(format!("{name}-orders-dlq"))
            .sqs_managed_sse_enabled(true)
            .message_retention_seconds(14 * 24 * 3600)
            .tags(tfsynth_modules::name_tags(&format!("{name}-orders-dlq"))),
    );
    let queue = stack.add(
        AwsSqsQueue::new("orders")
            .name(format!("{name}-orders"))
            .sqs_managed_sse_enabled(true)
            .visibility_timeout_seconds(6 * TIMEOUT_SECONDS)
            .redrive_policy(func::jsonencode(tfsynth::Expr::Object(vec![
                ("deadLetterTargetArn".into(), dead_letters.arn().expr()),
                ("maxReceiveCount".into(), 5.into()),
            ])))
            .tags(tfsynth_modules::name_tags(&format!("{name}-orders"))),
    );

    let (uploads, _, _) = secure_bucket(
        stack,
        "uploads",
        &config
            .identity
            .bucket_name("uploads", config.uploads_bucket_name.as_deref()),
        &format!("{name}-uploads"),
        |_, _| Vec::new(),
    );
    let queue_access = stack.add(
        tfsynth_aws::data::DataAwsIamPolicyDocument::new("orders_queue").statement(
            Statement::new()
                .sid("UploadsNotify")
                .effect("Allow")
                .principals(principals("Service", ["s3.amazonaws.com"]))
                .actions(["sqs:SendMessage"])
                .resources([queue.arn()])
                .condition(condition("ArnEquals", "aws:SourceArn", [uploads.arn()])),
        ),
    );
    let queue_policy = stack.add(AwsSqsQueuePolicy::new(
        "orders",
        AwsSqsQueuePolicyArgs {
            policy: queue_access.json(),
            queue_url: queue.url(),
        },
    ));
    stack.add(
        AwsS3BucketNotification::new("uploads", uploads.id())
            .queue(
                Queue::new(QueueArgs {
                    events: ["s3:ObjectCreated:*"].into(),
                    queue_arn: queue.arn(),
                })
                .filter_prefix("orders/"),
            )
            .depends_on(
                &queue_policy,
                "S3 sends a test message when notification is configured and needs the queue's permission first",
            ),
    );

    let function_name = format!("{name}-orders");
    let log_group = stack.add(
        AwsCloudwatchLogGroup::new("function")
            .name(format!("/aws/lambda/{function_name}"))
            .retention_in_days(retention)
            .tags(tfsynth_modules::name_tags(&function_name)),
    );
    let (role, role_policy) = service_role(
        stack,
        "function",
        &format!("{name}-orders-fn"),
        "lambda.amazonaws.com",
        vec![
            Statement::new()
                .sid("Orders")
                .effect("Allow")
                .actions(["dynamodb:PutItem"])
                .resources([table.arn()]),
            Statement::new()
                .sid("Queue")
                .effect("Allow")
                .actions([
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ])
                .resources([queue.arn()]),
            Statement::new()
                .sid("Logs")
                .effect("Allow")
                .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                .resources([Value::from(interp![log_group.arn(), ":*"])]),
        ],
    );
    let code = stack.add(Asset::archive("orders_function", &[("index.py", HANDLER)]));
    let mut function = AwsLambdaFunction::new(
        "orders",
        AwsLambdaFunctionArgs {
            function_name: function_name.as_str().into(),
            role: role.arn(),
        },
    )
    .runtime("python3.12")
    .handler("index.handler")
    .filename(code.path())
    .source_code_hash(code.hash())
    .timeout(TIMEOUT_SECONDS)
    .memory_size(256)
    .tracing_config(TracingConfig::new("Active"))
    .environment(Environment::new().variables([("ORDERS_TABLE", table.name())]))
    // The log group exists first (Lambda would create its own, kept
    // forever): the role's policy names it, and the function uses the role.
    .tags(tfsynth_modules::name_tags(&function_name));
    if let Some(policy) = &role_policy {
        function = function.depends_on(
            policy,
            "the function's first invocations need the role's policy attached",
        );
    }
    let function = stack.add(function);

    stack.add(
        AwsLambdaEventSourceMapping::new("orders_queue", function.arn())
            .event_source_arn(queue.arn())
            .batch_size(10)
            .function_response_types(["ReportBatchItemFailures"]),
    );

    let sweep = stack.add(
        AwsCloudwatchEventRule::new("sweep")
            .name(format!("{name}-sweep"))
            .description("Sweeps stale orders")
            .schedule_expression(config.sweep_schedule.as_str())
            .tags(tfsynth_modules::name_tags(&format!("{name}-sweep"))),
    );
    stack.add(
        AwsCloudwatchEventTarget::new(
            "sweep",
            AwsCloudwatchEventTargetArgs {
                arn: function.arn(),
                rule: sweep.name(),
            },
        )
        .target_id("orders-function"),
    );
    stack.add(
        AwsLambdaPermission::new(
            "sweep",
            AwsLambdaPermissionArgs {
                action: "lambda:InvokeFunction".into(),
                function_name: function.function_name(),
                principal: "events.amazonaws.com".into(),
            },
        )
        .statement_id("AllowSweepSchedule")
        .source_arn(sweep.arn()),
    );

    let api = stack.add(
        AwsApigatewayv2Api::new(
            "orders",
            AwsApigatewayv2ApiArgs {
                name: format!("{name}-orders").into(),
                protocol_type: "HTTP".into(),
            },
        )
        .tags(tfsynth_modules::name_tags(&format!("{name}-orders-api"))),
    );
    let integration = stack.add(
        AwsApigatewayv2Integration::new(
            "orders",
            AwsApigatewayv2IntegrationArgs {
                api_id: api.id(),
                integration_type: "AWS_PROXY".into(),
            },
        )
        .integration_uri(function.invoke_arn())
        .integration_method("POST")
        .payload_format_version("2.0"),
    );
    stack.add(
        AwsApigatewayv2Route::new(
            "post_orders",
            AwsApigatewayv2RouteArgs {
                api_id: api.id(),
                route_key: "POST /orders".into(),
            },
        )
        .target(interp!["integrations/", integration.id()]),
    );
    let access_logs = stack.add(
        AwsCloudwatchLogGroup::new("api")
            .name(format!("/aws/apigateway/{name}-orders"))
            .retention_in_days(retention)
            .tags(tfsynth_modules::name_tags(&format!("{name}-orders-api"))),
    );
    let stage = stack.add(
        AwsApigatewayv2Stage::new(
            "default",
            AwsApigatewayv2StageArgs {
                api_id: api.id(),
                name: "$default".into(),
            },
        )
        .auto_deploy(true)
        .access_log_settings(AccessLogSettings::new(AccessLogSettingsArgs {
            destination_arn: access_logs.arn(),
            format: func::jsonencode(tfsynth::Expr::Object(vec![
                ("requestId".into(), "$context.requestId".into()),
                ("routeKey".into(), "$context.routeKey".into()),
                ("status".into(), "$context.status".into()),
            ]))
            .into(),
        }))
        .tags(tfsynth_modules::name_tags(&format!("{name}-orders-api"))),
    );
    stack.add(
        AwsLambdaPermission::new(
            "api",
            AwsLambdaPermissionArgs {
                action: "lambda:InvokeFunction".into(),
                function_name: function.function_name(),
                principal: "apigateway.amazonaws.com".into(),
            },
        )
        .statement_id("AllowHttpApi")
        .source_arn(interp![api.execution_arn(), "/*/*/orders"]),
    );

    common::provider(stack, &config.identity, config.emulator_endpoint.as_deref());
    common::outputs(
        stack,
        [
            (
                "api_endpoint",
                stage.invoke_url().expr(),
                "URL of the orders API (POST /orders)",
            ),
            (
                "orders_table_name",
                table.name().expr(),
                "DynamoDB table of the orders",
            ),
            (
                "orders_queue_url",
                queue.url().expr(),
                "SQS queue of upload notifications",
            ),
            (
                "uploads_bucket_name",
                uploads.bucket().expr(),
                "S3 bucket that takes uploads under orders/",
            ),
            (
                "function_name",
                function.function_name().expr(),
                "the Lambda function",
            ),
        ],
    );
}
