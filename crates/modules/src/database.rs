//! The database: RDS MySQL 8.0 in a subnet group of the private subnets,
//! behind its own security group that admits 3306 only from the instances'
//! group; encrypted storage, Multi-AZ, retained backups, TLS required, IAM
//! authentication, enhanced monitoring, Performance Insights and CloudWatch
//! log exports into pre-created log groups, both encrypted with the given
//! customer-managed key, and the master password managed by AWS Secrets
//! Manager, so no password ever appears in the configuration.

use tfsynth::{ResourceBlock, Stack, Value};
use tfsynth_aws::resource::aws_db_parameter_group::{Parameter, ParameterArgs};
use tfsynth_aws::resource::{
    AwsCloudwatchLogGroup, AwsDbInstance, AwsDbInstanceRef, AwsDbParameterGroup, AwsDbSubnetGroup,
    AwsSecurityGroup, AwsVpcSecurityGroupIngressRule, AwsVpcSecurityGroupIngressRuleArgs,
};

use crate::iam::{attach_managed, service_role};
use crate::{label, name_tags};

/// The logs RDS exports to CloudWatch.
pub const LOG_EXPORTS: [&str; 3] = ["error", "general", "slowquery"];

/// Inputs of [`Database`].
#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    /// Prefix of names; also the DB instance identifier.
    pub name: String,
    /// The VPC.
    pub vpc_id: Value<String>,
    /// The private subnets.
    pub subnet_ids: Value<Vec<String>>,
    /// The security group allowed to connect.
    pub client_security_group_id: Value<String>,
    /// The instance class, e.g. `db.t3.medium`.
    pub instance_class: String,
    /// Allocated storage in GiB.
    pub storage_gb: i64,
    /// Storage autoscaling ceiling in GiB.
    pub max_storage_gb: i64,
    /// A standby in another zone.
    pub multi_az: bool,
    /// Days of automated backups.
    pub backup_retention_days: i64,
    /// Refuse deletion.
    pub deletion_protection: bool,
    /// Take a final snapshot on deletion.
    pub final_snapshot: bool,
    /// Days the exported logs are kept.
    pub log_retention_days: i64,
    /// The customer-managed KMS key of the exported logs and of Performance
    /// Insights.
    pub kms_key_arn: Value<String>,
}

/// The database instance.
pub struct Database {
    /// The instance.
    pub instance: AwsDbInstanceRef,
}

impl Database {
    /// Adds the database under `prefix`.
    pub fn new(stack: &mut Stack, prefix: &str, config: &DatabaseConfig) -> Database {
        let name = &config.name;
        let identifier = format!("{name}-mysql");
        let subnet_group = stack.add(
            AwsDbSubnetGroup::new(prefix, config.subnet_ids.clone())
                .name(format!("{name}-db"))
                .description("Private subnets of the database")
                .tags(name_tags(&format!("{name}-db"))),
        );
        let sg = stack.add(
            AwsSecurityGroup::new(label(prefix, "db"))
                .name(format!("{name}-db"))
                .description("Database: MySQL from the application instances only")
                .vpc_id(config.vpc_id.clone())
                .tags(name_tags(&format!("{name}-db"))),
        );
        stack.add(
            AwsVpcSecurityGroupIngressRule::new(
                label(prefix, "mysql_from_app"),
                AwsVpcSecurityGroupIngressRuleArgs {
                    ip_protocol: "tcp".into(),
                    security_group_id: sg.id(),
                },
            )
            .from_port(3306)
            .to_port(3306)
            .referenced_security_group_id(config.client_security_group_id.clone())
            .description("MySQL from the application instances"),
        );
        let parameters = stack.add(
            AwsDbParameterGroup::new(prefix, "mysql8.0")
                .name(format!("{name}-mysql80"))
                .description("MySQL 8.0 with TLS required")
                // "1" and "ON" mean the same to MySQL; "1" is how policy
                // scanners (checkov's CKV2_AWS_69) recognise it.
                .parameter(Parameter::new(ParameterArgs {
                    name: "require_secure_transport".into(),
                    value: "1".into(),
                }))
                .tags(name_tags(&format!("{name}-mysql80"))),
        );
        let log_groups: Vec<_> = LOG_EXPORTS
            .iter()
            .map(|log| {
                stack.add(
                    AwsCloudwatchLogGroup::new(label(prefix, &format!("log_{log}")))
                        .name(format!("/aws/rds/instance/{identifier}/{log}"))
                        .retention_in_days(config.log_retention_days)
                        .kms_key_id(config.kms_key_arn.clone())
                        .tags(name_tags(&format!("{identifier}-{log}"))),
                )
            })
            .collect();
        let (monitoring_role, _) = service_role(
            stack,
            &label(prefix, "monitoring"),
            &format!("{name}-rds-monitoring"),
            "monitoring.rds.amazonaws.com",
            Vec::new(),
        );
        let monitoring_policy = attach_managed(
            stack,
            &label(prefix, "monitoring"),
            &monitoring_role,
            "service-role/AmazonRDSEnhancedMonitoringRole",
        );
        let mut db = AwsDbInstance::new(prefix, config.instance_class.as_str())
            .identifier(identifier.as_str())
            .engine("mysql")
            .engine_version("8.0")
            .username("dbadmin")
            .manage_master_user_password(true)
            .allocated_storage(config.storage_gb)
            .max_allocated_storage(config.max_storage_gb)
            .storage_type("gp3")
            .storage_encrypted(true)
            .db_subnet_group_name(subnet_group.name())
            .vpc_security_group_ids([sg.id()])
            .parameter_group_name(parameters.name())
            .publicly_accessible(false)
            .multi_az(config.multi_az)
            .backup_retention_period(config.backup_retention_days)
            .copy_tags_to_snapshot(true)
            .auto_minor_version_upgrade(true)
            .deletion_protection(config.deletion_protection)
            .skip_final_snapshot(!config.final_snapshot)
            .iam_database_authentication_enabled(true)
            .performance_insights_enabled(true)
            .performance_insights_kms_key_id(config.kms_key_arn.clone())
            .monitoring_interval(60)
            .monitoring_role_arn(monitoring_role.arn())
            .enabled_cloudwatch_logs_exports(LOG_EXPORTS)
            .tags(name_tags(&identifier))
            // RDS enables enhanced monitoring only once the role holds its policy.
            .depends_on(
                &monitoring_policy,
                "RDS checks the monitoring role's policy when monitoring is enabled",
            );
        if config.final_snapshot {
            db = db.final_snapshot_identifier(format!("{identifier}-final"));
        }
        for group in &log_groups {
            // Without these, RDS creates the export log groups itself,
            // unencrypted and never expiring; nothing references them.
            db = db.depends_on(
                group,
                "RDS creates its export log groups itself unless they exist first",
            );
        }
        Database {
            instance: stack.add(db),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::Synth;

    #[test]
    fn encrypted_multi_az_mysql_without_a_password() {
        let mut stack = Stack::new("t");
        Database::new(
            &mut stack,
            "db",
            &DatabaseConfig {
                name: "acme-dev".into(),
                vpc_id: Value::from("vpc-1"),
                subnet_ids: Value::from(["subnet-a", "subnet-b"]),
                client_security_group_id: Value::from("sg-app"),
                instance_class: "db.t3.medium".into(),
                storage_gb: 20,
                max_storage_gb: 100,
                multi_az: true,
                backup_retention_days: 7,
                deletion_protection: true,
                final_snapshot: true,
                log_retention_days: 30,
                kms_key_arn: Value::from("arn:aws:kms:us-east-1:111122223333:key/k"),
            },
        );
        let j = Synth::stack(&stack);
        let db = j.resource("aws_db_instance", "db");
        assert_eq!(db["engine"], json!("mysql"));
        assert_eq!(db["engine_version"], json!("8.0"));
        assert_eq!(db["storage_encrypted"], json!(true));
        assert_eq!(db["multi_az"], json!(true));
        assert_eq!(db["manage_master_user_password"], json!(true));
        assert!(db.get("password").is_none());
        assert_eq!(db["publicly_accessible"], json!(false));
        assert_eq!(db["skip_final_snapshot"], json!(false));
        assert_eq!(
            db["final_snapshot_identifier"],
            json!("acme-dev-mysql-final")
        );
        assert_eq!(
            db["enabled_cloudwatch_logs_exports"],
            json!(["error", "general", "slowquery"])
        );
        assert_eq!(
            db["depends_on"],
            json!([
                "aws_iam_role_policy_attachment.db_monitoring_amazonrdsenhancedmonitoringrole",
                "aws_cloudwatch_log_group.db_log_error",
                "aws_cloudwatch_log_group.db_log_general",
                "aws_cloudwatch_log_group.db_log_slowquery"
            ])
        );
        assert_eq!(
            j.resource("aws_cloudwatch_log_group", "db_log_slowquery")["name"],
            json!("/aws/rds/instance/acme-dev-mysql/slowquery")
        );
        let key = json!("arn:aws:kms:us-east-1:111122223333:key/k");
        assert_eq!(db["performance_insights_kms_key_id"], key);
        for log in LOG_EXPORTS {
            let group = j.resource("aws_cloudwatch_log_group", &format!("db_log_{log}"));
            assert_eq!(group["kms_key_id"], key, "{log}");
        }
        let rule = j.resource("aws_vpc_security_group_ingress_rule", "db_mysql_from_app");
        assert_eq!(
            (
                rule["from_port"].clone(),
                rule["referenced_security_group_id"].clone()
            ),
            (json!(3306), json!("sg-app"))
        );
        assert_eq!(
            j.resource("aws_db_parameter_group", "db")["parameter"][0],
            json!({"name": "require_secure_transport", "value": "1"})
        );
    }
}
