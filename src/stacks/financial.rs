//! The financial-services stack: a 3-AZ VPC, an ALB and auto scaling web tier
//! in the private subnets, encrypted RDS MySQL, encrypted S3 for data and
//! logs, least-privilege IAM, VPC flow logs and four alarms.

use tfsynth::config::{Config, ConfigValue, Key, Kind, Spec, rules};
use tfsynth::{Stack, Value};
use tfsynth_modules::rules as aws_rules;

use super::common;
use tfsynth_modules::database::{Database, DatabaseConfig};
use tfsynth_modules::iam::{Iam, IamConfig};
use tfsynth_modules::monitoring::{Alarm, Monitoring, MonitoringConfig};
use tfsynth_modules::networking::{NatMode, Networking, NetworkingConfig};
use tfsynth_modules::storage::{Storage, StorageConfig};
use tfsynth_modules::web_tier::{HealthCheck, WebTier, WebTierConfig};

fn int(value: i64) -> ConfigValue {
    ConfigValue::Integer(value)
}

fn nat_mode(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::String(s) if NatMode::parse(s).is_none() => {
            Err("must be \"per_az\" or \"single\"".into())
        }
        _ => Ok(()),
    }
}

fn az_count(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::Integer(n) if !(1..=6).contains(n) => Err("use 1 to 6 zones".into()),
        _ => Ok(()),
    }
}

/// The configuration keys of the financial stack.
pub fn spec() -> Spec {
    common::spec("t3.medium", (2, 6, 3), 8080)
        .key(Key::with_default("vpc_cidr", ConfigValue::String("10.0.0.0/16".into()), "VPC CIDR block").rule("VPC CIDR", aws_rules::vpc_cidr))
        .key(Key::with_default("az_count", int(3), "availability zones").rule("1 to 6 zones", az_count))
        .key(Key::with_default("availability_zones", ConfigValue::List(Vec::new()), "zone names (default: the first available)").rule("distinct zones", |v| match v {
            ConfigValue::List(zones) if zones.iter().enumerate().any(|(i, z)| zones[..i].contains(z)) => {
                Err("a zone is listed more than once; each subnet pair needs its own zone".into())
            }
            ConfigValue::List(zones) if zones.iter().any(|z| aws_rules::region(&ConfigValue::String(z.trim_end_matches(char::is_alphabetic).to_owned())).is_err()) => {
                Err("not availability zone names such as us-east-1a".into())
            }
            _ => Ok(()),
        }))
        .key(Key::with_default("subnet_newbits", int(8), "bits added to the VPC prefix per subnet").rule("at least 1", rules::positive))
        .key(Key::with_default("nat_mode", ConfigValue::String("per_az".into()), "per_az (resilient) or single (cheaper)").rule("per_az or single", nat_mode))
        .key(Key::optional("data_bucket_name", Kind::String, "data bucket (default: <project>-<environment>-data)"))
        .key(Key::optional("app_log_group", Kind::String, "application log group (default: /aws/app/<environment>)"))
        .key(Key::optional("flow_log_group", Kind::String, "VPC flow log group (default: /aws/vpc/flowlogs/<environment>)"))
        .key(Key::with_default("db_instance_class", ConfigValue::String("db.t3.medium".into()), "RDS instance class").rule("instance type", aws_rules::instance_type))
        .key(Key::with_default("db_storage_gb", int(100), "RDS allocated storage (GiB)").rule("at least 20", |v| match v {
            ConfigValue::Integer(n) if *n < 20 => Err("MySQL on gp3 takes at least 20 GiB".into()),
            _ => Ok(()),
        }))
        .key(Key::with_default("db_max_storage_gb", int(200), "RDS storage autoscaling ceiling (GiB)"))
        .key(Key::with_default("db_multi_az", ConfigValue::Bool(true), "RDS standby in a second zone"))
        .key(Key::with_default("db_backup_retention_days", int(7), "days of RDS automated backups").rule("1 to 35", |v| match v {
            ConfigValue::Integer(n) if !(1..=35).contains(n) => Err("RDS keeps 1 to 35 days".into()),
            _ => Ok(()),
        }))
        .key(Key::with_default("db_deletion_protection", ConfigValue::Bool(true), "refuse to delete the database"))
        .key(Key::with_default("db_final_snapshot", ConfigValue::Bool(true), "snapshot the database when it is deleted"))
        .key(Key::with_default("rds_cpu_threshold", int(80), "RDS CPU alarm threshold (%)").rule("percentage", rules::percent))
        .key(Key::with_default("rds_connections_threshold", int(80), "RDS connections alarm threshold").rule("at least 1", rules::positive))
        .key(Key::with_default("alb_unhealthy_hosts_threshold", int(1), "ALB unhealthy hosts alarm threshold").rule("not negative", rules::not_negative))
        .key(Key::with_default("alb_5xx_threshold", int(10), "ALB 5XX responses per 5 minutes alarm threshold").rule("at least 1", rules::positive))
        .check("CIDR fits the zones", &["vpc_cidr", "az_count", "subnet_newbits"], |c| {
            let (_, prefix) = rules::parse_cidr(c.string("vpc_cidr")).unwrap_or((0, 16));
            let (zones, newbits) = (c.int("az_count"), c.int("subnet_newbits"));
            if i64::from(prefix) + newbits > 28 {
                return Err("the VPC prefix plus subnet_newbits gives subnets smaller than /28, the smallest AWS allows".into());
            }
            if 2 * zones > (1i64 << newbits.min(30)) {
                return Err("the public and private subnets of every zone do not fit in subnet_newbits bits".into());
            }
            Ok(())
        })
        .check("zones match az_count", &["availability_zones", "az_count"], |c| {
            let given = c.list("availability_zones").len();
            if given == 0 || given as i64 == c.int("az_count") {
                Ok(())
            } else {
                Err("the number of zones listed differs from az_count".into())
            }
        })
        .check("S3 bucket naming rules", &["data_bucket_name", "project", "environment"], |c| {
            aws_rules::s3_bucket_name(&ConfigValue::String(common::bucket_name(c, "data")))
        })
        .check("HTTPS only", &["certificate_arn", "certificate_domain"], |c| {
            if c.opt_string("certificate_arn").is_none() && c.opt_string("certificate_domain").is_none() {
                Err("the financial stack serves HTTPS only: set certificate_arn or certificate_domain".into())
            } else {
                Ok(())
            }
        })
}

/// Adds the financial stack's blocks.
pub fn build(stack: &mut Stack, config: &Config) {
    let name = common::name(config);
    let environment = config.string("environment");
    let nat = NatMode::parse(config.string("nat_mode")).expect("checked by the spec");
    let net = Networking::new(
        stack,
        "net",
        &NetworkingConfig {
            name: name.clone(),
            cidr: config.string("vpc_cidr").to_owned(),
            az_count: config.int("az_count") as usize,
            zones: config.list("availability_zones").to_vec(),
            subnet_newbits: config.int("subnet_newbits") as u32,
            nat,
        },
    );
    let storage = Storage::new(
        stack,
        "store",
        &StorageConfig {
            name: name.clone(),
            data_bucket: Some(common::bucket_name(config, "data")),
            logs_bucket: common::bucket_name(config, "logs"),
            logs_expiration_days: config.int("logs_expiration_days"),
            noncurrent_days: 30,
        },
    );
    let retention = config.int("log_retention_days");
    let app_log_group = config
        .opt_string("app_log_group")
        .map_or_else(|| format!("/aws/app/{environment}"), str::to_owned);
    let monitoring = Monitoring::new(
        stack,
        "mon",
        &MonitoringConfig {
            name: name.clone(),
            retention_days: retention,
            // The financial seed's names, kept so that dashboards, queries
            // and existing state go on working.
            app_log_group: app_log_group.clone(),
            flow_log_group: config
                .opt_string("flow_log_group")
                .map_or_else(|| format!("/aws/vpc/flowlogs/{environment}"), str::to_owned),
            vpc_id: Some(net.vpc_id.clone()),
            alarm_topic: true,
            alarm_emails: config.list("alarm_emails").to_vec(),
        },
    );
    let data_bucket = storage
        .data_bucket
        .clone()
        .expect("the financial stack configures a data bucket");
    let iam = Iam::new(
        stack,
        "iam",
        &IamConfig {
            name: name.clone(),
            data_bucket_arn: Some(data_bucket.arn()),
            logs_bucket_arn: Some(storage.logs_bucket.arn()),
            app_log_group_arn: monitoring.app_log_group.arn(),
            managed_policies: Vec::new(),
        },
    );
    let ami = common::ami(stack, config);
    let certificate = common::certificate(stack, config);
    let web = WebTier::new(
        stack,
        "web",
        &WebTierConfig {
            name: name.clone(),
            environment: environment.to_owned(),
            vpc_id: net.vpc_id.clone(),
            alb_subnet_ids: Value::from(net.public_subnet_ids.clone()),
            instance_subnet_ids: Value::from(net.private_subnet_ids.clone()),
            app_port: config.int("app_port"),
            instance_type: config.string("instance_type").to_owned(),
            ami,
            instance_profile_arn: iam.instance_profile.arn(),
            log_group: app_log_group.clone(),
            min_size: config.int("asg_min"),
            max_size: config.int("asg_max"),
            desired_capacity: config.int("asg_desired"),
            root_volume_gb: 20,
            health_check: HealthCheck {
                path: "/".into(),
                matcher: "200".into(),
                healthy_threshold: 2,
                unhealthy_threshold: 2,
                timeout: 5,
                interval: 30,
            },
            certificate_arn: certificate,
            firewall: Some(common::firewall(config, &monitoring)),
            cpu_target: None,
            access_logs: Some(storage.alb_access_logs()),
            deletion_protection: config.bool("alb_deletion_protection"),
        },
    );
    let db = Database::new(
        stack,
        "db",
        &DatabaseConfig {
            name: name.clone(),
            vpc_id: net.vpc_id.clone(),
            subnet_ids: Value::from(net.private_subnet_ids.clone()),
            client_security_group_id: web.instance_sg.id(),
            instance_class: config.string("db_instance_class").to_owned(),
            storage_gb: config.int("db_storage_gb"),
            max_storage_gb: config.int("db_max_storage_gb"),
            multi_az: config.bool("db_multi_az"),
            backup_retention_days: config.int("db_backup_retention_days"),
            deletion_protection: config.bool("db_deletion_protection"),
            final_snapshot: config.bool("db_final_snapshot"),
            log_retention_days: retention,
            kms_key_arn: monitoring.key.arn(),
        },
    );

    let db_dimension = || vec![("DBInstanceIdentifier", db.instance.identifier())];
    let alb_dimensions = || {
        vec![
            ("LoadBalancer", web.alb.arn_suffix()),
            ("TargetGroup", web.target_group.arn_suffix()),
        ]
    };
    let threshold = |key: &str| config.int(key) as f64;
    for alarm in [
        Alarm {
            id: "rds_cpu",
            description: format!(
                "RDS CPU above {}% for 10 minutes",
                config.int("rds_cpu_threshold")
            ),
            namespace: "AWS/RDS",
            metric: "CPUUtilization",
            statistic: "Average",
            comparison: "GreaterThanThreshold",
            threshold: threshold("rds_cpu_threshold"),
            period: 300,
            evaluation_periods: 2,
            dimensions: db_dimension(),
        },
        Alarm {
            id: "rds_connections",
            description: format!(
                "RDS connections above {}",
                config.int("rds_connections_threshold")
            ),
            namespace: "AWS/RDS",
            metric: "DatabaseConnections",
            statistic: "Average",
            comparison: "GreaterThanThreshold",
            threshold: threshold("rds_connections_threshold"),
            period: 300,
            evaluation_periods: 1,
            dimensions: db_dimension(),
        },
        Alarm {
            id: "alb_unhealthy_hosts",
            description: format!(
                "more than {} unhealthy hosts behind the load balancer",
                config.int("alb_unhealthy_hosts_threshold")
            ),
            namespace: "AWS/ApplicationELB",
            metric: "UnHealthyHostCount",
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: threshold("alb_unhealthy_hosts_threshold"),
            period: 60,
            evaluation_periods: 2,
            dimensions: alb_dimensions(),
        },
        Alarm {
            id: "alb_5xx",
            description: format!(
                "more than {} 5XX responses in 5 minutes",
                config.int("alb_5xx_threshold")
            ),
            namespace: "AWS/ApplicationELB",
            metric: "HTTPCode_ELB_5XX_Count",
            statistic: "Sum",
            comparison: "GreaterThanThreshold",
            threshold: threshold("alb_5xx_threshold"),
            period: 300,
            evaluation_periods: 1,
            dimensions: vec![("LoadBalancer", web.alb.arn_suffix())],
        },
    ] {
        monitoring.alarm(stack, alarm);
    }

    common::outputs(
        stack,
        [
            ("vpc_id", net.vpc_id.expr(), "ID of the VPC"),
            (
                "alb_dns_name",
                web.alb.dns_name().expr(),
                "DNS name of the application load balancer",
            ),
            (
                "alb_arn",
                web.alb.arn().expr(),
                "ARN of the application load balancer",
            ),
            (
                "rds_endpoint",
                db.instance.endpoint().expr(),
                "RDS endpoint (host:port)",
            ),
            ("rds_address", db.instance.address().expr(), "RDS host name"),
            (
                "data_bucket_arn",
                data_bucket.arn().expr(),
                "ARN of the data bucket",
            ),
            (
                "data_bucket_name",
                data_bucket.bucket().expr(),
                "name of the data bucket",
            ),
            (
                "logs_bucket_arn",
                storage.logs_bucket.arn().expr(),
                "ARN of the logs bucket",
            ),
            (
                "logs_bucket_name",
                storage.logs_bucket.bucket().expr(),
                "name of the logs bucket",
            ),
        ],
    );
    common::provider(stack, config);
}
