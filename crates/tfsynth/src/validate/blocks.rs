//! Walks the configuration: each top-level block against Terraform's own
//! rules, each resource, data source and provider body against its schema,
//! and every string template through the reference checks.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};
use tfsynth_schema::{Attribute, NestingMode, TypeExpr};

use super::view::{BlockView as Block, NestedView as NestedBlock};

use super::refs::{self, Scope};
use super::schemas::Schemas;
use super::{Declared, Finding, Report, Severity, each_object, pointer_segment};
use crate::core::META_ARGUMENTS;
use crate::hcl::{self, Segment};
use crate::provider::Kind;
use crate::suggest::did_you_mean;
use tfsynth_schema::checks::ValueCheck;

const TOP_LEVEL: &[&str] = &[
    "terraform",
    "provider",
    "variable",
    "locals",
    "data",
    "resource",
    "output",
    "module",
    "moved",
    "import",
    "check",
    "removed",
];
const TERRAFORM_KEYS: &[&str] = &[
    "required_version",
    "required_providers",
    "backend",
    "cloud",
    "experiments",
    "provider_meta",
    "//",
];
const VARIABLE_KEYS: &[&str] = &[
    "type",
    "default",
    "description",
    "sensitive",
    "nullable",
    "validation",
    "ephemeral",
    "//",
];
const OUTPUT_KEYS: &[&str] = &[
    "value",
    "description",
    "sensitive",
    "depends_on",
    "precondition",
    "ephemeral",
    "//",
];
/// The keys of a block that are not its schema's: Terraform's
/// meta-arguments, those only a managed resource has, and `dynamic` blocks.
const RESOURCE_META: &[&[&str]] = &[META_ARGUMENTS, &["connection", "provisioner", "dynamic"]];
const DATA_META: &[&[&str]] = &[META_ARGUMENTS, &["dynamic"]];
const EPHEMERAL_META: &[&[&str]] = DATA_META;
const LIFECYCLE_KEYS: &[&str] = &[
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "precondition",
    "postcondition",
];

pub(crate) struct Checker<'a> {
    pub schemas: &'a Schemas,
    pub declared: &'a Declared,
    pub report: &'a mut Report,
    /// Whether the block being checked may take ephemeral values anywhere
    /// (ephemeral resources and provider configurations may).
    pub ephemeral_ok: bool,
}

/// The words for a kind of typed block.
fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Resource => "resource",
        Kind::Data => "data source",
        Kind::Ephemeral => "ephemeral resource",
        Kind::Provider => "provider",
        Kind::Function => "function",
    }
}

/// Whether a JSON string holds an expression (interpolation or directive).
fn is_dynamic(text: &str) -> bool {
    match hcl::parse_template(text) {
        Ok(parts) => parts.iter().any(|p| !matches!(p, Segment::Text(_))),
        Err(_) => true,
    }
}

impl Checker<'_> {
    fn finding(&mut self, address: &str, pointer: &str, rule: &'static str, message: String) {
        self.report.findings.push(Finding {
            address: address.to_owned(),
            pointer: pointer.to_owned(),
            rule,
            message,
            severity: Severity::Error,
        });
    }

    pub fn root(&mut self, root: &Map<String, Json>) {
        for (key, value) in root {
            let pointer = format!("/{}", pointer_segment(key));
            let shaped = match value {
                Json::Object(_) => true,
                Json::Array(items) => items.iter().all(Json::is_object),
                _ => false,
            };
            if TOP_LEVEL.contains(&key.as_str()) && !shaped {
                self.finding(
                    "(file)",
                    &pointer,
                    "block-shape",
                    format!(
                        "{key:?} must be an object of blocks, or a list of such objects, not {}",
                        json_kind(value)
                    ),
                );
                continue;
            }
            match key.as_str() {
                "terraform" => self.terraform(value, &pointer),
                "provider" => self.providers(value, &pointer),
                "variable" => self.variables(value, &pointer),
                "locals" => self.locals(value, &pointer),
                "resource" => self.typed_blocks(Kind::Resource, value, &pointer),
                "data" => self.typed_blocks(Kind::Data, value, &pointer),
                "ephemeral" => self.typed_blocks(Kind::Ephemeral, value, &pointer),
                "output" => self.outputs(value, &pointer),
                "moved" | "import" | "removed" => self.state_blocks(key, value, &pointer),
                "check" => self.checks(value, &pointer),
                "module" => self.modules(value, &pointer),
                "//" => {}
                k if TOP_LEVEL.contains(&k) => {}
                _ => {
                    let hint = did_you_mean(key, TOP_LEVEL.iter().copied());
                    self.finding(
                        "(file)",
                        &pointer,
                        "unknown-block-type",
                        format!("unknown top-level block type {key:?}{hint}"),
                    );
                }
            }
        }
    }

    /// `moved`, `import` and `removed`: their keys, and addresses that must
    /// (or must no longer) be declared.
    fn state_blocks(&mut self, kind: &str, value: &Json, pointer: &str) {
        let (allowed, declared_key, undeclared_key): (&[&str], Option<&str>, Option<&str>) =
            match kind {
                "moved" => (&["from", "to", "//"], Some("to"), Some("from")),
                "import" => (
                    &["to", "id", "identity", "provider", "for_each", "//"],
                    Some("to"),
                    None,
                ),
                _ => (
                    &["from", "lifecycle", "provisioner", "connection", "//"],
                    None,
                    Some("from"),
                ),
            };
        let items: Vec<(String, &Map<String, Json>)> = match value {
            Json::Array(list) => list
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_object().map(|m| (format!("{pointer}/{i}"), m)))
                .collect(),
            other => each_object(other, pointer),
        };
        for (p, body) in items {
            let address = format!("{kind} block");
            self.unknown_keys(&address, &p, body, allowed, &format!("a {kind} block"));
            for key in [declared_key, undeclared_key].into_iter().flatten() {
                let Some(text) = body.get(key).and_then(Json::as_str) else {
                    self.finding(
                        &address,
                        &p,
                        "missing-required",
                        format!("a {kind} block needs {key:?}, an address"),
                    );
                    continue;
                };
                let declared = self.is_declared_resource(text);
                let kp = format!("{p}/{key}");
                if Some(key) == declared_key && declared == Some(false) {
                    self.finding(
                        &address,
                        &kp,
                        "undeclared-reference",
                        format!("{text} is not declared in this configuration"),
                    );
                }
                if Some(key) == undeclared_key && declared == Some(true) {
                    self.finding(
                        &address,
                        &kp,
                        "still-declared",
                        format!("{text} is still declared, so {kind} cannot apply to it"),
                    );
                }
                if declared.is_none() && !text.starts_with("module.") {
                    self.finding(
                        &address,
                        &kp,
                        "invalid-reference",
                        format!("{text:?} is not a resource address such as aws_vpc.main"),
                    );
                }
            }
            if kind == "import"
                && let Some(id) = body.get("id")
            {
                self.templates(&address, &format!("{p}/id"), id, &Scope::default());
            }
        }
    }

    /// `Some(declared?)` for a resource address `type.name` (an instance key
    /// allowed), `None` when the text is not one.
    fn is_declared_resource(&self, text: &str) -> Option<bool> {
        let head = text.split('[').next().unwrap_or(text);
        let (ty, name) = head.split_once('.')?;
        let ident = crate::core::is_identifier;
        if ty == "data" || ty == "module" || !ident(ty) || !ident(name) {
            return None;
        }
        Some(
            self.declared
                .resources
                .get(ty)
                .is_some_and(|names| names.contains(name)),
        )
    }

    /// `module` blocks: a literal source (and a version only for registry
    /// sources), declared providers, meta-arguments, and the inputs'
    /// references. The module's own variables are not known here.
    fn modules(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, body) in by_name {
                let address = format!("module.{name}");
                for (mp, body) in each_object(body, &format!("{p}/{}", pointer_segment(name))) {
                    self.module(&address, &mp, body);
                }
            }
        }
    }

    fn module(&mut self, address: &str, pointer: &str, body: &Map<String, Json>) {
        let literal = |v: Option<&Json>| match v {
            Some(Json::String(s)) if !s.contains("${") && !s.contains("%{") => Some(s.clone()),
            _ => None,
        };
        let source = literal(body.get("source"));
        match (&source, body.get("source")) {
            (Some(s), _) if !s.trim().is_empty() => {}
            (_, None) => self.finding(
                address,
                pointer,
                "missing-required",
                "a module block needs a source".into(),
            ),
            _ => self.finding(
                address,
                &format!("{pointer}/source"),
                "type-mismatch",
                "a module source must be a literal, non-empty string (Terraform does not evaluate it)".into(),
            ),
        }
        if let Some(version) = body.get("version") {
            let vp = format!("{pointer}/version");
            let local = source
                .as_deref()
                .is_some_and(|s| s.starts_with("./") || s.starts_with("../"));
            if literal(Some(version)).is_none() {
                self.finding(
                    address,
                    &vp,
                    "type-mismatch",
                    "a module version must be a literal string".into(),
                );
            } else if local {
                self.finding(
                    address,
                    &vp,
                    "invalid-argument",
                    "a local module takes no version; only registry modules do".into(),
                );
            }
        }
        self.repetition(address, pointer, body);
        let scope = Scope {
            count: body.contains_key("count"),
            each: body.contains_key("for_each"),
            iterators: Vec::new(),
        };
        for (key, v) in body {
            let kp = format!("{pointer}/{}", pointer_segment(key));
            match key.as_str() {
                "source" | "version" | "//" => {}
                "depends_on" => self.depends_on(address, &kp, v),
                "providers" => match v.as_object() {
                    Some(map) => {
                        for (local_name, config) in map {
                            self.provider_meta(address, &format!("{kp}/{}", pointer_segment(local_name)), config);
                        }
                    }
                    None => self.finding(
                        address,
                        &kp,
                        "type-mismatch",
                        "providers must map the module's provider names to configurations, as {\"aws\": \"aws.west\"}".into(),
                    ),
                },
                _ => self.templates(address, &kp, v, &scope),
            }
        }
    }

    /// `check` blocks: scoped data sources against their schema, assertions as templates.
    fn checks(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, body) in by_name {
                let address = format!("check.{name}");
                for (cp, body) in each_object(body, &format!("{p}/{}", pointer_segment(name))) {
                    self.unknown_keys(
                        &address,
                        &cp,
                        body,
                        &["data", "assert", "//"],
                        "a check block",
                    );
                    if let Some(data) = body.get("data") {
                        self.typed_blocks(Kind::Data, data, &format!("{cp}/data"));
                    }
                    match body.get("assert") {
                        Some(asserts) => self.templates(
                            &address,
                            &format!("{cp}/assert"),
                            asserts,
                            &Scope::default(),
                        ),
                        None => self.finding(
                            &address,
                            &cp,
                            "missing-required",
                            "a check block needs at least one \"assert\"".into(),
                        ),
                    }
                }
            }
        }
    }

    fn unknown_keys(
        &mut self,
        address: &str,
        pointer: &str,
        body: &Map<String, Json>,
        allowed: &[&str],
        what: &str,
    ) {
        for key in body.keys().filter(|k| !allowed.contains(&k.as_str())) {
            let hint = did_you_mean(key, allowed.iter().copied());
            self.finding(
                address,
                &format!("{pointer}/{}", pointer_segment(key)),
                "unknown-attribute",
                format!("{what} has no argument {key:?}{hint}"),
            );
        }
    }

    fn terraform(&mut self, value: &Json, pointer: &str) {
        for (p, body) in each_object(value, pointer) {
            self.unknown_keys("terraform", &p, body, TERRAFORM_KEYS, "the terraform block");
        }
    }

    fn providers(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, configs) in by_name {
                for (p, config) in each_object(configs, &format!("{p}/{}", pointer_segment(name))) {
                    let address = match config.get("alias").and_then(Json::as_str) {
                        Some(alias) => format!("provider.{name}.{alias}"),
                        None => format!("provider.{name}"),
                    };
                    let scope = Scope::default();
                    self.templates(&address, &p, &Json::Object(config.clone()), &scope);
                    let schemas = self.schemas;
                    match schemas
                        .provider(name, &self.declared.required_providers)
                        .and_then(|p| p.schema(Kind::Provider, ""))
                    {
                        Some(schema) => {
                            self.ephemeral_ok = true;
                            self.block(
                                &address,
                                &p,
                                config,
                                schema,
                                &[&["alias", "version", "//"]],
                            );
                            self.ephemeral_ok = false;
                        }
                        None => {
                            self.report.unchecked.insert(format!("provider {name}"));
                        }
                    }
                }
            }
        }
    }

    fn variables(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, body) in by_name {
                let address = format!("var.{name}");
                for (p, body) in each_object(body, &format!("{p}/{}", pointer_segment(name))) {
                    self.unknown_keys(&address, &p, body, VARIABLE_KEYS, "a variable");
                    if let Some(validation) = body.get("validation") {
                        self.templates(
                            &address,
                            &format!("{p}/validation"),
                            validation,
                            &Scope::default(),
                        );
                    }
                }
            }
        }
    }

    fn locals(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, v) in by_name {
                self.templates(
                    &format!("local.{name}"),
                    &format!("{p}/{}", pointer_segment(name)),
                    v,
                    &Scope::default(),
                );
            }
        }
    }

    fn outputs(&mut self, value: &Json, pointer: &str) {
        for (p, by_name) in each_object(value, pointer) {
            for (name, body) in by_name {
                let address = format!("output.{name}");
                for (p, body) in each_object(body, &format!("{p}/{}", pointer_segment(name))) {
                    self.unknown_keys(&address, &p, body, OUTPUT_KEYS, "an output");
                    if !body.contains_key("value") {
                        self.finding(
                            &address,
                            &p,
                            "missing-required",
                            "an output needs a \"value\"".into(),
                        );
                    }
                    if let Some(reference) = body
                        .get("value")
                        .and_then(|v| self.declared.ephemeral_reference(v))
                    {
                        self.finding(
                            &address,
                            &format!("{p}/value"),
                            "ephemeral-value",
                            format!(
                                "a root module output cannot hold the ephemeral value {reference}: it would be stored in state (hint: pass it to a write-only argument instead)"
                            ),
                        );
                    }
                    for (key, v) in body {
                        match key.as_str() {
                            "depends_on" => {
                                self.depends_on(&address, &format!("{p}/depends_on"), v)
                            }
                            "//" => {}
                            _ => self.templates(
                                &address,
                                &format!("{p}/{}", pointer_segment(key)),
                                v,
                                &Scope::default(),
                            ),
                        }
                    }
                }
            }
        }
    }

    fn typed_blocks(&mut self, kind: Kind, value: &Json, pointer: &str) {
        for (p, by_type) in each_object(value, pointer) {
            for (ty, by_name) in by_type {
                let tp = format!("{p}/{}", pointer_segment(ty));
                for (np, blocks) in each_object(by_name, &tp) {
                    for (name, body) in blocks {
                        let address = match kind {
                            Kind::Data => format!("data.{ty}.{name}"),
                            Kind::Ephemeral => format!("ephemeral.{ty}.{name}"),
                            _ => format!("{ty}.{name}"),
                        };
                        for (bp, body) in
                            each_object(body, &format!("{np}/{}", pointer_segment(name)))
                        {
                            self.typed_block(kind, ty, &address, &bp, body);
                        }
                    }
                }
            }
        }
    }

    /// `count` and `for_each`: not both, and a literal value of a kind
    /// Terraform can repeat a block by (a whole number; a map or a set).
    fn repetition(&mut self, address: &str, pointer: &str, body: &Map<String, Json>) {
        if body.contains_key("count") && body.contains_key("for_each") {
            self.finding(
                address,
                pointer,
                "invalid-argument",
                "count and for_each are both set; Terraform allows one".into(),
            );
        }
        let literal = |v: &Json| !v.as_str().is_some_and(is_dynamic);
        if let Some(count) = body.get("count").filter(|v| literal(v)) {
            let number = match count {
                Json::Number(n) => n.as_f64(),
                Json::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let problem = match number {
                None => Some(format!(
                    "count must be a whole number, found {}",
                    json_kind(count)
                )),
                Some(n) if n.fract() != 0.0 => {
                    Some("count must be a whole number, found a fraction".to_owned())
                }
                Some(n) if n < 0.0 => {
                    Some("count must be 0 or more, found a negative number".to_owned())
                }
                Some(_) => None,
            };
            if let Some(problem) = problem {
                self.finding(
                    address,
                    &format!("{pointer}/count"),
                    "invalid-count",
                    problem,
                );
            }
        }
        if let Some(for_each) = body.get("for_each").filter(|v| literal(v)) {
            let problem = match for_each {
                Json::Object(_) => None,
                Json::Array(_) => Some(
                    "for_each takes a map or a set of strings, and a JSON list is a tuple: write \"${toset([...])}\""
                        .to_owned(),
                ),
                other => Some(format!(
                    "for_each takes a map or a set of strings, found {}",
                    json_kind(other)
                )),
            };
            if let Some(problem) = problem {
                self.finding(
                    address,
                    &format!("{pointer}/for_each"),
                    "invalid-for-each",
                    problem,
                );
            }
        }
    }

    fn typed_block(
        &mut self,
        kind: Kind,
        ty: &str,
        address: &str,
        pointer: &str,
        body: &Map<String, Json>,
    ) {
        self.repetition(address, pointer, body);
        let scope = Scope {
            count: body.contains_key("count"),
            each: body.contains_key("for_each"),
            iterators: Vec::new(),
        };
        let data = kind != Kind::Resource;
        for (key, v) in body {
            let p = format!("{pointer}/{}", pointer_segment(key));
            match key.as_str() {
                "depends_on" => self.depends_on(address, &p, v),
                "provider" => self.provider_meta(address, &p, v),
                "lifecycle" => self.lifecycle(address, &p, v, data),
                "//" => {}
                "dynamic" if v.is_object() => {
                    if let Json::Object(by_type) = v {
                        self.dynamic_templates(address, &p, by_type, &scope);
                    }
                }
                _ => self.templates(address, &p, v, &scope),
            }
        }
        let words = kind_words(kind);
        // The provider is the `provider` meta-argument's, else the type's first word.
        let local = body
            .get("provider")
            .and_then(Json::as_str)
            .map(|p| p.split('.').next().unwrap_or(p))
            .unwrap_or_else(|| ty.split('_').next().unwrap_or(ty));
        let schemas = self.schemas;
        let Some(provider) = schemas.provider(local, &self.declared.required_providers) else {
            self.report.unchecked.insert(format!(
                "{words} {ty} (provider {local} has no schema here)"
            ));
            return;
        };
        if let Some(schema) = provider.schema(kind, ty) {
            let meta = match kind {
                Kind::Resource => RESOURCE_META,
                Kind::Ephemeral => EPHEMERAL_META,
                _ => DATA_META,
            };
            // The provider protocol lists `id` as optional and computed,
            // but a managed resource's id is the provider's to set.
            if kind == Kind::Resource
                && body.contains_key("id")
                && schema.attributes().get("id").is_some_and(|a| a.computed)
            {
                self.finding(
                    address,
                    &format!("{pointer}/id"),
                    "computed-only",
                    "\"id\" is set by the provider and a resource cannot set it".into(),
                );
            }
            self.ephemeral_ok = kind == Kind::Ephemeral;
            self.block(address, pointer, body, schema, meta);
            self.ephemeral_ok = false;
            match provider.checks(kind, ty) {
                Ok(checks) => {
                    for check in checks {
                        self.value_check(address, pointer, body, check);
                    }
                }
                Err(why) => self.finding(
                    address,
                    pointer,
                    "provider-checks",
                    format!("provider {}: {why}", provider.display_source()),
                ),
            }
        } else {
            let hint = did_you_mean(ty, provider.names(kind));
            let type_pointer = pointer
                .rsplit_once('/')
                .map_or(pointer, |(head, _)| head)
                .to_owned();
            let rule = match kind {
                Kind::Data => "unknown-data-type",
                Kind::Ephemeral => "unknown-ephemeral-type",
                _ => "unknown-resource-type",
            };
            self.finding(
                address,
                &type_pointer,
                rule,
                format!(
                    "provider {} has no {words} type {ty:?}{hint}",
                    provider.display_source()
                ),
            );
        }
    }

    /// One of the provider's value checks on the literal values at its path.
    fn value_check(
        &mut self,
        address: &str,
        pointer: &str,
        body: &Map<String, Json>,
        check: &ValueCheck,
    ) {
        let Some((attr, blocks)) = check.path.split_last() else {
            return;
        };
        let mut objects = vec![(pointer.to_owned(), body)];
        for segment in blocks {
            let mut next = Vec::new();
            for (p, object) in objects {
                if let Some(v) = object.get(segment) {
                    next.extend(each_object(v, &format!("{p}/{}", pointer_segment(segment))));
                }
            }
            objects = next;
        }
        for (p, object) in objects {
            let Some(value) = object.get(attr) else {
                continue;
            };
            let vp = format!("{p}/{}", pointer_segment(attr));
            let values: Vec<(String, &Json)> = match value {
                Json::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{vp}/{i}"), v))
                    .collect(),
                v => vec![(vp, v)],
            };
            for (vp, v) in values {
                let literal = match v {
                    Json::String(text) => !is_dynamic(text),
                    Json::Number(_) => true,
                    _ => false,
                };
                if let Some(problem) = check.rule.problem(v).filter(|_| literal) {
                    self.finding(
                        address,
                        &vp,
                        "provider-value",
                        format!("{attr:?} {problem}"),
                    );
                }
            }
        }
    }

    fn depends_on(&mut self, address: &str, pointer: &str, value: &Json) {
        let Some(items) = value.as_array() else {
            self.finding(
                address,
                pointer,
                "type-mismatch",
                "depends_on must be a list of references".into(),
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let Some(text) = item.as_str() else {
                self.finding(
                    address,
                    &p,
                    "type-mismatch",
                    "a depends_on entry is a reference string".into(),
                );
                continue;
            };
            match hcl::parse_expression(text) {
                Ok(expr) => {
                    let traversals = expr.traversals();
                    if traversals.len() != 1
                        || !matches!(
                            expr,
                            hcl::Hcl::Var(_) | hcl::Hcl::GetAttr(..) | hcl::Hcl::Index(..)
                        )
                    {
                        self.finding(
                            address,
                            &p,
                            "invalid-reference",
                            format!("depends_on entry {text:?} is not a reference to a block"),
                        );
                        continue;
                    }
                    let t = &traversals[0];
                    if matches!(
                        t.root.as_str(),
                        "var" | "local" | "count" | "each" | "path" | "terraform" | "self"
                    ) {
                        self.finding(address, &p, "invalid-reference", format!("depends_on entry {text:?} must name a resource, data source or module"));
                        continue;
                    }
                    if let Some(f) =
                        refs::check(t, self.declared, &Scope::everything(), self.schemas)
                    {
                        self.finding(address, &p, f.0, f.1);
                    }
                }
                Err(e) => self.finding(
                    address,
                    &p,
                    "syntax",
                    format!("depends_on entry {text:?}: {e}"),
                ),
            }
        }
    }

    fn provider_meta(&mut self, address: &str, pointer: &str, value: &Json) {
        match value.as_str() {
            Some(text) if self.declared.providers.contains(text) || !text.contains('.') => {}
            Some(text) => {
                let hint = did_you_mean(text, self.declared.providers.iter().map(String::as_str));
                self.finding(
                    address,
                    pointer,
                    "undeclared-provider",
                    format!("provider configuration {text:?} is not declared{hint}"),
                );
            }
            None => self.finding(
                address,
                pointer,
                "type-mismatch",
                "provider must be a string such as \"aws.west\"".into(),
            ),
        }
    }

    fn lifecycle(&mut self, address: &str, pointer: &str, value: &Json, data: bool) {
        for (p, body) in each_object(value, pointer) {
            let allowed: &[&str] = if data {
                &["precondition", "postcondition"]
            } else {
                LIFECYCLE_KEYS
            };
            self.unknown_keys(address, &p, body, allowed, "lifecycle");
            for key in ["precondition", "postcondition"] {
                if let Some(v) = body.get(key) {
                    self.templates(address, &format!("{p}/{key}"), v, &Scope::everything());
                }
            }
        }
    }

    /// What is wrong with a call of a provider-defined function, if anything.
    fn call_problem(&mut self, call: &hcl::Call) -> Option<(&'static str, String)> {
        let rest = call.name.strip_prefix("provider::")?;
        let Some((local, function)) = rest.split_once("::") else {
            return Some((
                "unknown-function",
                format!(
                    "{:?} is not a provider function name (provider::<provider>::<function>)",
                    call.name
                ),
            ));
        };
        let schemas = self.schemas;
        let Some(provider) = schemas.provider(local, &self.declared.required_providers) else {
            self.report.unchecked.insert(format!(
                "function {} (provider {local} has no schema here)",
                call.name
            ));
            return None;
        };
        let Some(f) = provider.function(function) else {
            let hint = did_you_mean(function, provider.names(Kind::Function));
            return Some((
                "unknown-function",
                format!(
                    "provider {} has no function {function:?}{hint}",
                    provider.display_source()
                ),
            ));
        };
        let n = call.args;
        let fits = f.accepts(n)
            || (call.expand && (f.variadic_parameter.is_some() || n <= f.parameters.len()));
        (!fits).then(|| {
            let wanted = match &f.variadic_parameter {
                Some(_) => format!("at least {}", f.parameters.len()),
                None => f.parameters.len().to_string(),
            };
            (
                "function-arguments",
                format!(
                    "{} takes {wanted} argument{}, found {n}",
                    call.name,
                    if wanted == "1" { "" } else { "s" }
                ),
            )
        })
    }

    /// Checks every string template below `value` for syntax and references.
    fn templates(&mut self, address: &str, pointer: &str, value: &Json, scope: &Scope) {
        match value {
            Json::String(text) => {
                if !text.contains("${") && !text.contains("%{") {
                    return;
                }
                match hcl::parse_template(text) {
                    Ok(parts) => {
                        for t in hcl::template_traversals(&parts) {
                            if let Some((rule, message)) =
                                refs::check(&t, self.declared, scope, self.schemas)
                            {
                                self.finding(address, pointer, rule, message);
                            }
                        }
                        for call in hcl::template_calls(&parts) {
                            if let Some((rule, message)) = self.call_problem(&call) {
                                self.finding(address, pointer, rule, message);
                            }
                        }
                    }
                    Err(e) => self.finding(
                        address,
                        pointer,
                        "syntax",
                        format!("cannot parse the template: {e}"),
                    ),
                }
            }
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.templates(address, &format!("{pointer}/{i}"), item, scope);
                }
            }
            Json::Object(map) => {
                for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "//") {
                    let p = format!("{pointer}/{}", pointer_segment(k));
                    match (k.as_str(), v) {
                        ("dynamic", Json::Object(by_type)) => {
                            self.dynamic_templates(address, &p, by_type, scope)
                        }
                        _ => self.templates(address, &p, v, scope),
                    }
                }
            }
            _ => {}
        }
    }

    /// The templates of `dynamic` blocks: `for_each` in the surrounding
    /// scope, the content and labels with the block's iterator too.
    fn dynamic_templates(
        &mut self,
        address: &str,
        pointer: &str,
        by_type: &Map<String, Json>,
        scope: &Scope,
    ) {
        for (block_type, specs) in by_type {
            for (p, spec) in
                each_object(specs, &format!("{pointer}/{}", pointer_segment(block_type)))
            {
                let iterator = spec
                    .get("iterator")
                    .and_then(Json::as_str)
                    .unwrap_or(block_type);
                let mut inner = scope.clone();
                inner.iterators.push(iterator.to_owned());
                for (key, value) in spec {
                    let kp = format!("{p}/{}", pointer_segment(key));
                    match key.as_str() {
                        "for_each" => self.templates(address, &kp, value, scope),
                        "content" | "labels" => self.templates(address, &kp, value, &inner),
                        _ => {}
                    }
                }
            }
        }
    }

    /// The shape of each `dynamic` block of a body: its arguments, and its
    /// content checked against the schema of the block type it makes.
    fn dynamic_blocks(&mut self, address: &str, pointer: &str, value: &Json, schema: Block<'_>) {
        let Some(by_type) = value.as_object() else {
            self.finding(
                address,
                pointer,
                "block-shape",
                format!(
                    "\"dynamic\" must be an object of block types, not {}",
                    json_kind(value)
                ),
            );
            return;
        };
        for (name, specs) in by_type {
            let tp = format!("{pointer}/{}", pointer_segment(name));
            let Some(nested) = schema.block_type(name) else {
                let hint = did_you_mean(name, schema.block_types().map(|(k, _)| k));
                self.finding(
                    address,
                    &tp,
                    "unknown-attribute",
                    format!("no block type {name:?} for a dynamic block{hint}"),
                );
                continue;
            };
            let items = each_object(specs, &tp);
            if items.is_empty() {
                self.finding(
                    address,
                    &tp,
                    "block-shape",
                    format!("dynamic {name:?} must be an object with for_each and content"),
                );
            }
            for (p, spec) in items {
                self.unknown_keys(
                    address,
                    &p,
                    spec,
                    &["for_each", "iterator", "labels", "content", "//"],
                    &format!("dynamic {name:?}"),
                );
                if !spec.contains_key("for_each") {
                    self.finding(
                        address,
                        &p,
                        "missing-required",
                        format!("dynamic {name:?} needs for_each"),
                    );
                }
                match spec.get("iterator") {
                    None => {}
                    Some(Json::String(i)) if crate::core::is_identifier(i) => {}
                    Some(_) => self.finding(
                        address,
                        &format!("{p}/iterator"),
                        "type-mismatch",
                        format!("the iterator of dynamic {name:?} must be a name such as \"rule\""),
                    ),
                }
                match spec.get("content") {
                    Some(Json::Object(content)) => self.block(
                        address,
                        &format!("{p}/content"),
                        content,
                        nested.block(),
                        &[&["//", "dynamic"]],
                    ),
                    Some(other) => self.finding(
                        address,
                        &format!("{p}/content"),
                        "block-shape",
                        format!(
                            "the content of dynamic {name:?} must be an object, not {}",
                            json_kind(other)
                        ),
                    ),
                    None => self.finding(
                        address,
                        &p,
                        "missing-required",
                        format!("dynamic {name:?} needs content"),
                    ),
                }
            }
        }
    }

    /// Checks a block body against its schema.
    fn block(
        &mut self,
        address: &str,
        pointer: &str,
        body: &Map<String, Json>,
        schema: Block<'_>,
        meta: &[&[&str]],
    ) {
        let dynamic: BTreeSet<&str> = body
            .get("dynamic")
            .and_then(Json::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for (key, value) in body {
            let p = format!("{pointer}/{}", pointer_segment(key));
            if meta.iter().any(|m| m.contains(&key.as_str())) {
                if key == "dynamic" {
                    self.dynamic_blocks(address, &p, value, schema);
                }
                continue;
            }
            if let Some(attr) = schema.attributes().get(key) {
                self.attribute(address, &p, key, value, attr);
            } else if let Some(nested) = schema.block_type(key) {
                self.nested(address, &p, key, value, nested);
            } else {
                let candidates = schema
                    .attributes()
                    .iter()
                    .filter(|(_, a)| a.settable())
                    .map(|(k, _)| k.as_str())
                    .chain(schema.block_types().map(|(k, _)| k));
                let hint = did_you_mean(key, candidates);
                self.finding(
                    address,
                    &p,
                    "unknown-attribute",
                    format!("unknown attribute or block {key:?}{hint}"),
                );
            }
        }
        for (name, attr) in schema.attributes() {
            if attr.required && body.get(name).is_none_or(Json::is_null) {
                self.finding(
                    address,
                    pointer,
                    "missing-required",
                    format!("required attribute {name:?} is not set"),
                );
            }
        }
        for (name, nested) in schema.block_types() {
            if nested.min_items() > 0 && !body.contains_key(name) && !dynamic.contains(name) {
                let n = nested.min_items();
                self.finding(
                    address,
                    pointer,
                    "missing-required",
                    format!("block {name:?} is required (at least {n})"),
                );
            }
        }
    }

    fn attribute(
        &mut self,
        address: &str,
        pointer: &str,
        name: &str,
        value: &Json,
        attr: &Attribute,
    ) {
        if attr.computed_only() {
            self.finding(
                address,
                pointer,
                "computed-only",
                format!("{name:?} is computed by the provider and cannot be set"),
            );
            return;
        }
        if let Some(problem) = type_problem(value, &attr.value_type()) {
            self.finding(
                address,
                pointer,
                "type-mismatch",
                format!("{name:?}: {problem}"),
            );
        }
        if !attr.write_only
            && !self.ephemeral_ok
            && let Some(reference) = self.declared.ephemeral_reference(value)
        {
            self.finding(
                address,
                pointer,
                "ephemeral-value",
                format!(
                    "{name:?} is stored in plan and state, so it cannot take the ephemeral value {reference} (hint: set a write-only argument instead, such as password_wo)"
                ),
            );
        }
    }

    fn nested(
        &mut self,
        address: &str,
        pointer: &str,
        name: &str,
        value: &Json,
        nested: NestedBlock<'_>,
    ) {
        let items: Vec<(String, &Map<String, Json>)> = match (nested.nesting_mode(), value) {
            (_, Json::String(text)) if is_dynamic(text) => {
                self.finding(
                    address,
                    pointer,
                    "block-shape",
                    format!(
                        "block {name:?} cannot be set from an expression; use a \"dynamic\" block"
                    ),
                );
                return;
            }
            (NestingMode::Map, Json::Object(by_label)) => {
                for (label, v) in by_label {
                    let p = format!("{pointer}/{}", pointer_segment(label));
                    match v.as_object() {
                        Some(body) => self.block(address, &p, body, nested.block(), &[&["//"]]),
                        None => self.finding(
                            address,
                            &p,
                            "block-shape",
                            format!("block {name:?} {label:?} must be an object"),
                        ),
                    }
                }
                return;
            }
            (NestingMode::Single | NestingMode::Group, Json::Array(_)) => {
                self.finding(
                    address,
                    pointer,
                    "block-shape",
                    format!("block {name:?} takes one block (an object), not a list"),
                );
                return;
            }
            (_, Json::Object(body)) => vec![(pointer.to_owned(), body)],
            (NestingMode::List | NestingMode::Set, Json::Array(list)) => {
                let mut items = Vec::new();
                for (i, v) in list.iter().enumerate() {
                    match v.as_object() {
                        Some(body) => items.push((format!("{pointer}/{i}"), body)),
                        None => self.finding(
                            address,
                            &format!("{pointer}/{i}"),
                            "block-shape",
                            format!("each {name:?} block must be an object"),
                        ),
                    }
                }
                items
            }
            (_, Json::Null) => return,
            (_, other) => {
                let found = json_kind(other);
                self.finding(
                    address,
                    pointer,
                    "block-shape",
                    format!("block {name:?} must be an object or a list of objects, not {found}"),
                );
                return;
            }
        };
        let n = items.len() as u64;
        if nested.max_items() > 0 && n > nested.max_items() {
            self.finding(
                address,
                pointer,
                "block-shape",
                format!(
                    "block {name:?} allows at most {}, found {n}",
                    nested.max_items()
                ),
            );
        }
        if n < nested.min_items() {
            self.finding(
                address,
                pointer,
                "block-shape",
                format!(
                    "block {name:?} needs at least {}, found {n}",
                    nested.min_items()
                ),
            );
        }
        for (p, body) in items {
            self.block(address, &p, body, nested.block(), &[&["//", "dynamic"]]);
        }
    }
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// Why `value` cannot be converted to `ty`, as Terraform converts JSON
/// values; `None` when it can, or when it is an expression only Terraform
/// can evaluate.
pub(crate) fn type_problem(value: &Json, ty: &TypeExpr) -> Option<String> {
    let mismatch = || Some(format!("expected {ty}, found {}", json_kind(value)));
    match (value, ty) {
        (Json::Null, _) | (_, TypeExpr::Dynamic) => None,
        (Json::String(s), _) if is_dynamic(s) => None,
        (Json::String(s), TypeExpr::Number) if s.trim().parse::<f64>().is_err() => {
            Some(format!("expected number, found the string {s:?}"))
        }
        (Json::String(s), TypeExpr::Bool) if s != "true" && s != "false" => {
            Some(format!("expected bool, found the string {s:?}"))
        }
        (Json::String(_), TypeExpr::String | TypeExpr::Number | TypeExpr::Bool) => None,
        (Json::Number(_), TypeExpr::String | TypeExpr::Number) => None,
        (Json::Bool(_), TypeExpr::String | TypeExpr::Bool) => None,
        (Json::Array(items), TypeExpr::List(inner) | TypeExpr::Set(inner)) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| type_problem(v, inner).map(|p| format!("element {i}: {p}"))),
        (Json::Array(items), TypeExpr::Tuple(types)) if items.len() == types.len() => items
            .iter()
            .zip(types)
            .enumerate()
            .find_map(|(i, (v, t))| type_problem(v, t).map(|p| format!("element {i}: {p}"))),
        (Json::Object(map), TypeExpr::Map(inner)) => map
            .iter()
            .find_map(|(k, v)| type_problem(v, inner).map(|p| format!("key {k:?}: {p}"))),
        (Json::Object(map), TypeExpr::Object(attrs)) => map
            .iter()
            .find_map(|(k, v)| match attrs.get(k) {
                None => Some(format!(
                    "the object type has no attribute {k:?}{}",
                    did_you_mean(k, attrs.keys().map(String::as_str))
                )),
                Some(t) => type_problem(v, t).map(|p| format!("attribute {k:?}: {p}")),
            })
            // Terraform converts an object only when every attribute is
            // there: in JSON, attributes-as-blocks such as a security
            // group's ingress list them all, null where unset.
            .or_else(|| {
                let missing: Vec<&str> = attrs
                    .keys()
                    .filter(|k| !map.contains_key(*k))
                    .map(String::as_str)
                    .collect();
                (!missing.is_empty()).then(|| {
                    format!(
                        "the object leaves out {} (Terraform needs every attribute; give null for those not set)",
                        missing.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    )
                })
            }),
        _ => mismatch(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_conversions_follow_terraform() {
        let s = || TypeExpr::String;
        let list = |t| TypeExpr::List(Box::new(t));
        let check = |v: Json, t: TypeExpr, ok: bool| {
            assert_eq!(type_problem(&v, &t).is_none(), ok, "{v} as {t}")
        };
        check(json!("x"), s(), true);
        check(json!(3), s(), true);
        check(json!(true), s(), true);
        check(json!("3"), TypeExpr::Number, true);
        check(json!("three"), TypeExpr::Number, false);
        check(json!("${var.n}"), TypeExpr::Number, true);
        check(json!("true"), TypeExpr::Bool, true);
        check(json!("yes"), TypeExpr::Bool, false);
        check(json!(1), TypeExpr::Bool, false);
        check(json!(["a", 1]), list(s()), true);
        check(json!(["a", [1]]), list(s()), false);
        check(json!("a"), list(s()), false);
        check(json!("${var.l}"), list(s()), true);
        check(json!({"a": "b"}), TypeExpr::Map(Box::new(s())), true);
        check(json!({"a": ["b"]}), TypeExpr::Map(Box::new(s())), false);
        check(
            json!({"a": 1}),
            TypeExpr::Object([("a".to_string(), TypeExpr::Number)].into()),
            true,
        );
        check(
            json!({"b": 1}),
            TypeExpr::Object([("a".to_string(), TypeExpr::Number)].into()),
            false,
        );
        check(
            json!([1, "x"]),
            TypeExpr::Tuple(vec![TypeExpr::Number, s()]),
            true,
        );
        check(json!(null), list(s()), true);
        check(json!({"x": 1}), TypeExpr::Dynamic, true);
    }
}
