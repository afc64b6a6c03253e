use serde_json::json;

use super::*;

fn export(json: serde_json::Value) -> String {
    to_hcl(&json.to_string(), &Schemas::new(&[])).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

#[test]
fn blocks_attributes_and_alignment() {
    let hcl = export(json!({
        "terraform": {"required_version": ">= 1.10.0", "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}}},
        "resource": {"terraform_data": {"marker": {
            "input": {"Name": "x", "kubernetes.io/role": "${var.role}"},
            "triggers_replace": ["${var.a}", "b"],
            "depends_on": ["terraform_data.other"],
            "lifecycle": {"ignore_changes": ["input"], "create_before_destroy": true}
        }}},
        "output": {"id": {"value": "${terraform_data.marker.id}", "description": "the ${id}", "sensitive": true}}
    }));
    assert_eq!(
        hcl,
        r#"terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

resource "terraform_data" "marker" {
  input = {
    Name                 = "x"
    "kubernetes.io/role" = var.role
  }
  triggers_replace = [var.a, "b"]
  depends_on       = [terraform_data.other]
  lifecycle {
    ignore_changes        = [input]
    create_before_destroy = true
  }
}

output "id" {
  value       = terraform_data.marker.id
  description = "the $${id}"
  sensitive   = true
}
"#
    );
}

#[test]
fn templates_literals_and_heredocs() {
    let hcl = export(json!({
        "variable": {"env": {"type": "list(string)", "default": ["a${b}", "%{c}"], "description": "two\nlines\n"}},
        "locals": {
            "quoted": "say \"hi\" \\ ${upper(\"x\")} $${kept}",
            "script": "#!/bin/sh\necho ${ var.x }\n%{ if var.y }yes%{ endif }\n",
            "no_newline_at_end": "a\nb"
        }
    }));
    assert_eq!(
        hcl,
        "variable \"env\" {\n  type        = list(string)\n  default     = [\"a$${b}\", \"%%{c}\"]\n  description = <<EOT\ntwo\nlines\nEOT\n}\n\nlocals {\n  quoted            = \"say \\\"hi\\\" \\\\ ${upper(\"x\")} $${kept}\"\n  script            = <<EOT\n#!/bin/sh\necho ${var.x}\n%{if var.y}yes%{endif}\nEOT\n  no_newline_at_end = \"a\\nb\"\n}\n"
    );
}

#[test]
fn a_heredoc_marker_never_ends_the_text_early() {
    let hcl = export(json!({"locals": {"t": "EOT\nx\n"}}));
    assert!(hcl.contains("t = <<EOT_\nEOT\nx\nEOT_\n"), "{hcl}");
}

#[test]
fn problems_name_the_block_and_key() {
    let errors = to_hcl(
        &json!({"resource": {
            "google_thing": {"a": {}},
            "terraform_data": {"b": {"inputs": 1, "input": "${unclosed"}}
        }})
        .to_string(),
        &Schemas::new(&[]),
    )
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(
        text[0].starts_with("google_thing.a: provider google has no schema here"),
        "{text:?}"
    );
    assert!(
        text[1].starts_with(
            "terraform_data.b: inputs: \"inputs\" is neither an argument nor a block here"
        ),
        "{text:?}"
    );
    assert!(
        text[2].starts_with("terraform_data.b: input: not a valid template"),
        "{text:?}"
    );
}
