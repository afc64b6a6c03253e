//! The financial-services stack: a 3-AZ VPC, an ALB and auto scaling web tier
//! in the private subnets, encrypted RDS MySQL, encrypted S3 for data and
//! logs, least-privilege IAM, VPC flow logs and four alarms.

use tfsynth::config::{ConfigValue, Settings, rules};
use tfsynth::{Stack, Value};
use tfsynth_modules::rules as aws_rules;

use super::common::{self, Common};
use tfsynth_modules::database::{Database, DatabaseConfig};
use tfsynth_modules::iam::{Iam, IamConfig};
use tfsynth_modules::monitoring::{Alarm, Monitoring, MonitoringConfig};
use tfsynth_modules::networking::{NatMode, Networking, NetworkingConfig};
use tfsynth_modules::storage::{Storage, StorageConfig};
use tfsynth_modules::web_tier::{HealthCheck, WebTier, WebTierConfig};

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

fn distinct_zones(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::List(zones)
            if zones
                .iter()
                .enumerate()
                .any(|(i, z)| zones[..i].contains(z)) =>
        {
            Err("a zone is listed more than once; each subnet pair needs its own zone".into())
        }
        ConfigValue::List(zones)
            if zones.iter().any(|z| {
                aws_rules::region(&ConfigValue::String(
                    z.trim_end_matches(char::is_alphabetic).to_owned(),
                ))
                .is_err()
            }) =>
        {
            Err("not availability zone names such as us-east-1a".into())
        }
        _ => Ok(()),
    }
}

fn mysql_storage(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::Integer(n) if *n < 20 => Err("MySQL on gp3 takes at least 20 GiB".into()),
        _ => Ok(()),
    }
}

fn backup_days(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::Integer(n) if !(1..=35).contains(n) => Err("RDS keeps 1 to 35 days".into()),
        _ => Ok(()),
    }
}

/// The configuration of the financial stack.
#[derive(Settings)]
#[settings(
    default(
        common.instance_type = "t3.medium",
        common.asg_min = 2,
        common.asg_max = 6,
        common.asg_desired = 3,
        common.app_port = 8080,
    ),
    check("CIDR fits the zones", [vpc_cidr, az_count, subnet_newbits], cidr_fits),
    check("zones match az_count", [availability_zones, az_count], zones_match),
    check("S3 bucket naming rules", [data_bucket_name, common.identity.project, common.identity.environment], data_bucket_named),
    check("HTTPS only", [common.certificate_arn, common.certificate_domain], https_only),
)]
pub struct Financial {
    #[setting(flatten)]
    pub common: Common,
    /// VPC CIDR block
    #[setting(default = "10.0.0.0/16", rule("VPC CIDR", aws_rules::vpc_cidr))]
    pub vpc_cidr: String,
    /// availability zones
    #[setting(default = 3, rule("1 to 6 zones", az_count))]
    pub az_count: i64,
    /// zone names (default: the first available)
    #[setting(default = Vec::new(), rule("distinct zones", distinct_zones))]
    pub availability_zones: Vec<String>,
    /// bits added to the VPC prefix per subnet
    #[setting(default = 8, rule("at least 1", rules::positive))]
    pub subnet_newbits: i64,
    /// per_az (resilient) or single (cheaper)
    #[setting(default = "per_az", rule("per_az or single", nat_mode))]
    pub nat_mode: String,
    /// data bucket (default: <project>-<environment>-data)
    pub data_bucket_name: Option<String>,
    /// application log group (default: /aws/app/<environment>)
    pub app_log_group: Option<String>,
    /// VPC flow log group (default: /aws/vpc/flowlogs/<environment>)
    pub flow_log_group: Option<String>,
    /// RDS instance class
    #[setting(
        default = "db.t3.medium",
        rule("instance type", aws_rules::instance_type)
    )]
    pub db_instance_class: String,
    /// RDS allocated storage (GiB)
    #[setting(default = 100, rule("at least 20", mysql_storage))]
    pub db_storage_gb: i64,
    /// RDS storage autoscaling ceiling (GiB)
    #[setting(default = 200)]
    pub db_max_storage_gb: i64,
    /// RDS standby in a second zone
    #[setting(default = true)]
    pub db_multi_az: bool,
    /// days of RDS automated backups
    #[setting(default = 7, rule("1 to 35", backup_days))]
    pub db_backup_retention_days: i64,
    /// refuse to delete the database
    #[setting(default = true)]
    pub db_deletion_protection: bool,
    /// snapshot the database when it is deleted
    #[setting(default = true)]
    pub db_final_snapshot: bool,
    /// RDS CPU alarm threshold (%)
    #[setting(default = 80, rule("percentage", rules::percent))]
    pub rds_cpu_threshold: i64,
    /// RDS connections alarm threshold
    #[setting(default = 80, rule("at least 1", rules::positive))]
    pub rds_connections_threshold: i64,
    /// ALB unhealthy hosts alarm threshold
    #[setting(default = 1, rule("not negative", rules::not_negative))]
    pub alb_unhealthy_hosts_threshold: i64,
    /// ALB 5XX responses per 5 minutes alarm threshold
    #[setting(default = 10, rule("at least 1", rules::positive))]
    pub alb_5xx_threshold: i64,
}

fn cidr_fits(c: &Financial) -> Result<(), String> {
    let (_, prefix) = rules::parse_cidr(&c.vpc_cidr).unwrap_or((0, 16));
    let (zones, newbits) = (c.az_count, c.subnet_newbits);
    if i64::from(prefix) + newbits > 28 {
        return Err("the VPC prefix plus subnet_newbits gives subnets smaller than /28, the smallest AWS allows".into());
    }
    if 2 * zones > (1i64 << newbits.min(30)) {
        return Err(
            "the public and private subnets of every zone do not fit in subnet_newbits bits".into(),
        );
    }
    Ok(())
}

fn zones_match(c: &Financial) -> Result<(), String> {
    let given = c.availability_zones.len();
    if given == 0 || given as i64 == c.az_count {
        Ok(())
    } else {
        Err("the number of zones listed differs from az_count".into())
    }
}

fn data_bucket_named(c: &Financial) -> Result<(), String> {
    aws_rules::s3_bucket_name(&ConfigValue::String(
        c.common
            .identity
            .bucket_name("data", c.data_bucket_name.as_deref()),
    ))
}

fn https_only(c: &Financial) -> Result<(), String> {
    if c.common.certificate_arn.is_none() && c.common.certificate_domain.is_none() {
        Err(
            "the financial stack serves HTTPS only: set certificate_arn or certificate_domain"
                .into(),
        )
    } else {
        Ok(())
    }
}

/// Adds the financial stack's blocks.
pub fn build(stack: &mut Stack, config: &Financial) {
    let common = &config.common;
    let name = common.identity.name();
    let environment = common.identity.environment.as_str();
    let nat = NatMode::parse(&config.nat_mode).expect("checked by the spec");
    let net = Networking::new(
        stack,
        "net",
        &NetworkingConfig {
            name: name.clone(),
            cidr: config.vpc_cidr.clone(),
            az_count: config.az_count as usize,
            zones: config.availability_zones.clone(),
            subnet_newbits: config.subnet_newbits as u32,
            nat,
        },
    );
    let storage = Storage::new(
        stack,
        "store",
        &StorageConfig {
            name: name.clone(),
            data_bucket: Some(
                common
                    .identity
                    .bucket_name("data", config.data_bucket_name.as_deref()),
            ),
            logs_bucket: common
                .identity
                .bucket_name("logs", common.logs_bucket_name.as_deref()),
            logs_expiration_days: common.logs_expiration_days,
            noncurrent_days: 30,
        },
    );
    let retention = common.log_retention_days;
    let app_log_group = config
        .app_log_group
        .clone()
        .unwrap_or_else(|| format!("/aws/app/{environment}"));
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
                .flow_log_group
                .clone()
                .unwrap_or_else(|| format!("/aws/vpc/flowlogs/{environment}")),
            vpc_id: Some(net.vpc_id.clone()),
            alarm_topic: true,
            alarm_emails: common.alarm_emails.clone(),
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
    let ami = common::ami(stack, common);
    let certificate = common::certificate(stack, common);
    let web = WebTier::new(
        stack,
        "web",
        &WebTierConfig {
            name: name.clone(),
            environment: environment.to_owned(),
            vpc_id: net.vpc_id.clone(),
            alb_subnet_ids: Value::from(net.public_subnet_ids.clone()),
            instance_subnet_ids: Value::from(net.private_subnet_ids.clone()),
            app_port: common.app_port,
            instance_type: common.instance_type.clone(),
            ami,
            instance_profile_arn: iam.instance_profile.arn(),
            log_group: app_log_group.clone(),
            min_size: common.asg_min,
            max_size: common.asg_max,
            desired_capacity: common.asg_desired,
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
            firewall: Some(common::firewall(common, &monitoring)),
            cpu_target: None,
            access_logs: Some(storage.alb_access_logs()),
            deletion_protection: common.alb_deletion_protection,
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
            instance_class: config.db_instance_class.clone(),
            storage_gb: config.db_storage_gb,
            max_storage_gb: config.db_max_storage_gb,
            multi_az: config.db_multi_az,
            backup_retention_days: config.db_backup_retention_days,
            deletion_protection: config.db_deletion_protection,
            final_snapshot: config.db_final_snapshot,
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
    for alarm in [
        Alarm {
            id: "rds_cpu",
            description: format!("RDS CPU above {}% for 10 minutes", config.rds_cpu_threshold),
            namespace: "AWS/RDS",
            metric: "CPUUtilization",
            statistic: "Average",
            comparison: "GreaterThanThreshold",
            threshold: config.rds_cpu_threshold as f64,
            period: 300,
            evaluation_periods: 2,
            dimensions: db_dimension(),
        },
        Alarm {
            id: "rds_connections",
            description: format!("RDS connections above {}", config.rds_connections_threshold),
            namespace: "AWS/RDS",
            metric: "DatabaseConnections",
            statistic: "Average",
            comparison: "GreaterThanThreshold",
            threshold: config.rds_connections_threshold as f64,
            period: 300,
            evaluation_periods: 1,
            dimensions: db_dimension(),
        },
        Alarm {
            id: "alb_unhealthy_hosts",
            description: format!(
                "more than {} unhealthy hosts behind the load balancer",
                config.alb_unhealthy_hosts_threshold
            ),
            namespace: "AWS/ApplicationELB",
            metric: "UnHealthyHostCount",
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: config.alb_unhealthy_hosts_threshold as f64,
            period: 60,
            evaluation_periods: 2,
            dimensions: alb_dimensions(),
        },
        Alarm {
            id: "alb_5xx",
            description: format!(
                "more than {} 5XX responses in 5 minutes",
                config.alb_5xx_threshold
            ),
            namespace: "AWS/ApplicationELB",
            metric: "HTTPCode_ELB_5XX_Count",
            statistic: "Sum",
            comparison: "GreaterThanThreshold",
            threshold: config.alb_5xx_threshold as f64,
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
    common::provider(stack, &common.identity, common.emulator_endpoint.as_deref());
}
