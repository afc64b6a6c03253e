//! The `terraform` settings block: required Terraform version, required
//! providers and the state backend (local, S3 or Terraform Cloud).

use indexmap::IndexMap;

use super::value::Node;

/// A provider requirement, `required_providers { aws = { source, version } }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequiredProvider {
    /// Source address, e.g. `hashicorp/aws`.
    pub source: String,
    /// Version constraint, e.g. `~> 5.100`.
    pub version: String,
}

/// Where Terraform keeps the stack's state.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A state file on disk (Terraform's default); `path` overrides the file name.
    Local {
        /// The state file path, relative to the stack directory.
        path: Option<String>,
    },
    /// An S3 bucket, with S3-native locking when `use_lockfile` is set.
    S3(S3Backend),
    /// Terraform Cloud or Terraform Enterprise (`cloud` block).
    Cloud(CloudBackend),
}

/// Settings of the `s3` backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Backend {
    /// The bucket holding the state.
    pub bucket: String,
    /// The object key of the state file.
    pub key: String,
    /// The bucket's region.
    pub region: String,
    /// Lock the state with an S3 lock file (Terraform 1.10 and later).
    pub use_lockfile: bool,
    /// Encrypt the state object at rest.
    pub encrypt: bool,
    /// An S3-compatible endpoint for the state, such as an emulator on this
    /// machine (moto, LocalStack): the backend's S3 and STS calls go there,
    /// path-style, with the checks that need real AWS off.
    pub endpoint: Option<String>,
}

impl S3Backend {
    /// The settings that point the backend (or a reader's remote state) at
    /// `endpoint`.
    pub fn endpoint_settings(&self) -> Vec<(&'static str, Node)> {
        let Some(url) = &self.endpoint else {
            return Vec::new();
        };
        vec![
            (
                "endpoints",
                Node::map_of([("s3", Node::from(url)), ("sts", Node::from(url))]),
            ),
            ("use_path_style", true.into()),
            ("skip_credentials_validation", true.into()),
            ("skip_requesting_account_id", true.into()),
            ("skip_metadata_api_check", true.into()),
            ("skip_region_validation", true.into()),
        ]
    }
}

/// Settings of the `cloud` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudBackend {
    /// The organization name.
    pub organization: String,
    /// The stack's workspace (one per stack and environment).
    pub workspace: String,
    /// Tags the workspace carries. With tags, the `cloud` block selects
    /// workspaces by them and terraform is told the stack's workspace
    /// through `TF_WORKSPACE`; Terraform Cloud creates the workspace with
    /// the tags, or adds them to the existing one, at `terraform init`.
    /// Without, the block names the workspace.
    pub tags: Vec<String>,
    /// The project new workspaces go into.
    pub project: Option<String>,
    /// The hostname, for Terraform Enterprise (default `app.terraform.io`).
    pub hostname: Option<String>,
}

impl Backend {
    /// The backend's name as Terraform spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Backend::Local { .. } => "local",
            Backend::S3(_) => "s3",
            Backend::Cloud(_) => "cloud",
        }
    }

    /// Names of required fields that are empty.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let blank = |value: &str| value.trim().is_empty();
        match self {
            Backend::Local { path } => {
                if path.as_deref().is_some_and(blank) {
                    missing.push("path");
                }
            }
            Backend::S3(s3) => {
                for (field, value) in [
                    ("bucket", &s3.bucket),
                    ("key", &s3.key),
                    ("region", &s3.region),
                ] {
                    if blank(value) {
                        missing.push(field);
                    }
                }
                if s3.endpoint.as_deref().is_some_and(blank) {
                    missing.push("endpoint");
                }
            }
            Backend::Cloud(cloud) => {
                if blank(&cloud.organization) {
                    missing.push("organization");
                }
                if blank(&cloud.workspace) {
                    missing.push("workspaces.name");
                }
                if cloud.tags.iter().any(|t| blank(t)) {
                    missing.push("workspaces.tags");
                }
                if cloud.project.as_deref().is_some_and(blank) {
                    missing.push("project");
                }
                if cloud.hostname.as_deref().is_some_and(blank) {
                    missing.push("hostname");
                }
            }
        }
        missing
    }

    /// The JSON key this backend is written under inside `terraform`
    /// (`backend` or `cloud`), and its body.
    pub(crate) fn to_node(&self) -> (&'static str, Node) {
        match self {
            Backend::Local { path } => {
                let mut body = IndexMap::new();
                if let Some(path) = path {
                    body.insert("path".to_owned(), Node::from(path));
                }
                ("backend", Node::map_of([("local", Node::Map(body))]))
            }
            Backend::S3(s3) => {
                let mut body = Node::map_of([
                    ("bucket", Node::from(&s3.bucket)),
                    ("key", Node::from(&s3.key)),
                    ("region", Node::from(&s3.region)),
                ]);
                if let Node::Map(items) = &mut body {
                    if s3.encrypt {
                        items.insert("encrypt".into(), true.into());
                    }
                    if s3.use_lockfile {
                        items.insert("use_lockfile".into(), true.into());
                    }
                    for (key, value) in s3.endpoint_settings() {
                        items.insert(key.into(), value);
                    }
                }
                ("backend", Node::map_of([("s3", body)]))
            }
            Backend::Cloud(cloud) => {
                let mut body = IndexMap::new();
                if let Some(hostname) = &cloud.hostname {
                    body.insert("hostname".to_owned(), Node::from(hostname));
                }
                body.insert("organization".to_owned(), Node::from(&cloud.organization));
                let workspaces = if cloud.tags.is_empty() {
                    Node::map_of([("name", Node::from(&cloud.workspace))])
                } else {
                    Node::map_of([("tags", Node::list_of(cloud.tags.iter().map(Node::from)))])
                };
                let mut workspaces = workspaces;
                if let (Some(project), Node::Map(items)) = (&cloud.project, &mut workspaces) {
                    items.insert("project".to_owned(), Node::from(project));
                }
                body.insert("workspaces".to_owned(), workspaces);
                ("cloud", Node::Map(body))
            }
        }
    }
}

/// The whole `terraform` block of a stack.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TerraformSettings {
    /// `required_version`, e.g. `>= 1.6.0`.
    pub required_version: Option<String>,
    /// `required_providers`, by local name.
    pub required_providers: IndexMap<String, RequiredProvider>,
    /// The backend; `None` means Terraform's default local state.
    pub backend: Option<Backend>,
}

impl TerraformSettings {
    /// The settings whose text holds `${` or `%{`: (where, in words).
    /// Terraform reads the whole `terraform` block literally, with no
    /// templates and no escapes, so such text can be neither evaluated nor
    /// escaped, and would land somewhere else than meant (a state key).
    pub fn template_sequences(&self) -> Vec<String> {
        let mut out = Vec::new();
        let has = |s: &str| s.contains("${") || s.contains("%{");
        if self.required_version.as_deref().is_some_and(has) {
            out.push("required_version".to_owned());
        }
        for (name, req) in &self.required_providers {
            if has(name) || has(&req.source) || has(&req.version) {
                out.push(format!("required_providers.{name}"));
            }
        }
        if let Some(backend) = &self.backend {
            let mut visit = |node: &Node, path: &str| {
                fn walk(
                    node: &Node,
                    path: &str,
                    out: &mut Vec<String>,
                    has: &dyn Fn(&str) -> bool,
                ) {
                    match node {
                        Node::String(s) if has(s) => out.push(path.to_owned()),
                        Node::List(items) => items.iter().for_each(|n| walk(n, path, out, has)),
                        Node::Map(items) => {
                            for (k, v) in items {
                                walk(v, &format!("{path}.{k}"), out, has);
                            }
                        }
                        _ => {}
                    }
                }
                walk(node, path, &mut out, &has);
            };
            let (key, node) = backend.to_node();
            visit(&node, key);
        }
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.required_version.is_none()
            && self.required_providers.is_empty()
            && self.backend.is_none()
    }

    pub(crate) fn to_node(&self) -> Node {
        let mut body = IndexMap::new();
        if let Some(version) = &self.required_version {
            body.insert("required_version".to_owned(), Node::from(version));
        }
        if !self.required_providers.is_empty() {
            let mut providers: Vec<_> = self.required_providers.iter().collect();
            providers.sort_by(|a, b| a.0.cmp(b.0));
            body.insert(
                "required_providers".to_owned(),
                Node::map_of(providers.into_iter().map(|(name, req)| {
                    (
                        name.clone(),
                        Node::map_of([("source", &req.source), ("version", &req.version)]),
                    )
                })),
            );
        }
        if let Some(backend) = &self.backend {
            let (key, node) = backend.to_node();
            body.insert(key.to_owned(), node);
        }
        Node::Map(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(workspace: &str, tags: &[&str]) -> Backend {
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: workspace.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            project: None,
            hostname: None,
        })
    }

    #[test]
    fn missing_fields() {
        let check = |b: Backend, expect: &[&str]| assert_eq!(b.missing_fields(), expect, "{b:?}");
        check(Backend::Local { path: None }, &[]);
        check(
            Backend::Local {
                path: Some(" ".into()),
            },
            &["path"],
        );
        check(
            Backend::S3(S3Backend {
                bucket: "".into(),
                key: "k".into(),
                region: "".into(),
                use_lockfile: true,
                encrypt: true,
                endpoint: None,
            }),
            &["bucket", "region"],
        );
        check(cloud("", &[]), &["workspaces.name"]);
        check(cloud("app-prod", &[" "]), &["workspaces.tags"]);
        check(cloud("app-prod", &["app"]), &[]);
        check(cloud("app-prod", &[]), &[]);
    }

    #[test]
    fn cloud_block_shape() {
        let mut backend = CloudBackend {
            organization: "acme".into(),
            workspace: "web-prod".into(),
            tags: vec!["app".into(), "prod".into()],
            project: Some("web".into()),
            hostname: Some("tfe.example.com".into()),
        };
        let (key, node) = Backend::Cloud(backend.clone()).to_node();
        assert_eq!(key, "cloud");
        assert_eq!(
            node,
            Node::map_of([
                ("hostname", Node::from("tfe.example.com")),
                ("organization", Node::from("acme")),
                (
                    "workspaces",
                    Node::map_of([
                        ("tags", Node::list_of(["app", "prod"])),
                        ("project", Node::from("web")),
                    ])
                ),
            ])
        );
        backend.tags.clear();
        backend.project = None;
        backend.hostname = None;
        let (_, node) = Backend::Cloud(backend).to_node();
        assert_eq!(
            node,
            Node::map_of([
                ("organization", Node::from("acme")),
                ("workspaces", Node::map_of([("name", "web-prod")])),
            ])
        );
    }
}
