//! `#[derive(Settings)]`: a tfsynth stack's configuration as a Rust struct.
//!
//! Each field is a configuration key named after the field; its `///`
//! comment is the key's description, its type gives the key's kind
//! (`String`, `i64`, `bool`, `Vec<String>`, each optionally in `Option`),
//! and `#[setting(..)]` gives a default and rules. The derive writes the
//! [`Spec`] that `tfsynth config`, layering and every message use, and the
//! conversion from the resolved values, so a stack reads `config.asg_min`
//! and a misspelled key is a compile error. See `tfsynth::config::Settings`.
//!
//! ```text
//! #[derive(Settings)]
//! #[settings(check("min <= max", [asg_min, asg_max], sizes_in_order))]
//! struct Web {
//!     /// auto scaling group minimum size
//!     #[setting(default = 1, rule("not negative", rules::not_negative))]
//!     asg_min: i64,
//!     /// auto scaling group maximum size
//!     #[setting(default = 3)]
//!     asg_max: i64,
//!     /// AMI id (default: the latest Amazon Linux 2)
//!     ami: Option<String>,
//!     #[setting(flatten)]
//!     common: Common,
//! }
//! ```
//!
//! Struct attributes: `check("rule", [fields], fn)` adds a rule across
//! keys, `fn(&Self) -> Result<(), String>`, run once every key is valid;
//! `default(field.path = value, ..)` sets the default of a key of a
//! flattened struct. Field paths are checked by the compiler.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Ident, LitStr, Token, bracketed, parenthesized};

/// Derives `tfsynth::config::Settings` (see the crate documentation).
#[proc_macro_derive(Settings, attributes(setting, settings))]
pub fn derive_settings(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `a.b.c`: a field path from the struct.
struct FieldPath(Punctuated<Ident, Token![.]>);

impl Parse for FieldPath {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(FieldPath(Punctuated::parse_separated_nonempty(input)?))
    }
}

impl FieldPath {
    fn key(&self) -> String {
        self.0.last().expect("non-empty").to_string()
    }

    fn access(&self) -> Tokens {
        let parts = self.0.iter();
        quote!(#(.#parts)*)
    }
}

/// `check("rule", [paths], function)`.
struct CheckAttr {
    rule: LitStr,
    keys: Vec<FieldPath>,
    function: Expr,
}

/// `path = value`.
struct DefaultAttr {
    path: FieldPath,
    value: Expr,
}

impl Parse for DefaultAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path = input.parse()?;
        input.parse::<Token![=]>()?;
        Ok(DefaultAttr {
            path,
            value: input.parse()?,
        })
    }
}

/// `("name", function)` of a field's rule.
struct RuleAttr {
    name: LitStr,
    function: Expr,
}

impl Parse for RuleAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![,]>()?;
        Ok(RuleAttr {
            name,
            function: input.parse()?,
        })
    }
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "Settings is derived for a struct with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            input.ident.span(),
            "Settings is derived for a struct with named fields",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "Settings is derived for a struct without generic parameters",
        ));
    }
    let config = quote!(::tfsynth::config);

    let mut checks = Vec::new();
    let mut defaults = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("settings")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("check") {
                let content;
                parenthesized!(content in meta.input);
                let rule: LitStr = content.parse()?;
                content.parse::<Token![,]>()?;
                let list;
                bracketed!(list in content);
                let keys: Punctuated<FieldPath, Token![,]> = Punctuated::parse_terminated(&list)?;
                content.parse::<Token![,]>()?;
                let function: Expr = content.parse()?;
                checks.push(CheckAttr {
                    rule,
                    keys: keys.into_iter().collect(),
                    function,
                });
                Ok(())
            } else if meta.path.is_ident("default") {
                let content;
                parenthesized!(content in meta.input);
                let items: Punctuated<DefaultAttr, Token![,]> =
                    Punctuated::parse_terminated(&content)?;
                defaults.extend(items);
                Ok(())
            } else {
                Err(meta.error("expected `check(..)` or `default(..)`"))
            }
        })?;
    }

    let mut spec_steps = Vec::new();
    let mut conversions = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named fields");
        let ty = &field.ty;
        let key = ident.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
        let mut flatten = false;
        let mut default: Option<Expr> = None;
        let mut rules: Vec<RuleAttr> = Vec::new();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("setting")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("flatten") {
                    flatten = true;
                    Ok(())
                } else if meta.path.is_ident("default") {
                    default = Some(meta.value()?.parse()?);
                    Ok(())
                } else if meta.path.is_ident("rule") {
                    let content;
                    parenthesized!(content in meta.input);
                    rules.push(content.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("expected `default = ..`, `rule(\"name\", fn)` or `flatten`"))
                }
            })?;
        }
        if flatten {
            if default.is_some() || !rules.is_empty() {
                return Err(syn::Error::new(
                    ident.span(),
                    "a flattened field takes no default or rule: set them on its own struct's fields, or with #[settings(default(..))]",
                ));
            }
            spec_steps.push(quote_spanned! {ty.span()=>
                let spec = spec.merge(<#ty as #config::Settings>::spec());
            });
            conversions.push(quote_spanned! {ty.span()=>
                #ident: <#ty as #config::Settings>::from_config(config)
            });
            continue;
        }
        let is_option = matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
        if is_option && let Some(value) = &default {
            return Err(syn::Error::new(
                value.span(),
                "an optional key has no default: give the field its plain type with the default, or leave it unset",
            ));
        }
        let doc = doc_text(&field.attrs);
        if doc.is_empty() {
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "document the key `{key}` with a /// comment: it is what `config` and the errors show"
                ),
            ));
        }
        let make = match &default {
            Some(value) => quote_spanned! {value.span()=>
                #config::Key::with_default(
                    #key,
                    #config::default_value::<#ty>(#value),
                    #doc,
                )
            },
            None => quote_spanned! {ty.span()=>
                if <#ty as #config::Setting>::OPTIONAL {
                    #config::Key::optional(#key, <#ty as #config::Setting>::KIND, #doc)
                } else {
                    #config::Key::required(#key, <#ty as #config::Setting>::KIND, #doc)
                }
            },
        };
        let rule_steps = rules.iter().map(|r| {
            let (rule, function) = (&r.name, &r.function);
            quote!(.rule(#rule, #function))
        });
        spec_steps.push(quote! {
            let spec = spec.key((#make) #(#rule_steps)*);
        });
        conversions.push(quote_spanned! {ty.span()=>
            #ident: <#ty as #config::Setting>::from_config(config, #key)
        });
    }

    for d in &defaults {
        let key = d.path.key();
        let access = d.path.access();
        let value = &d.value;
        spec_steps.push(quote_spanned! {value.span()=>
            let spec = spec.default_value(
                #key,
                #config::default_of(|s: &#name| &s #access, #value),
            );
        });
    }
    for c in &checks {
        let rule = &c.rule;
        let function = &c.function;
        let keys: Vec<String> = c.keys.iter().map(FieldPath::key).collect();
        let accesses = c.keys.iter().map(FieldPath::access);
        spec_steps.push(quote_spanned! {function.span()=>
            // The keys named are fields: checked here, by the compiler.
            let _ = |s: &#name| { #( let _ = &s #accesses; )* };
            let spec = spec.check(#rule, &[#(#keys),*], |config| {
                (#function)(&<#name as #config::Settings>::from_config(config))
            });
        });
    }

    Ok(quote! {
        impl #config::Settings for #name {
            fn spec() -> #config::Spec {
                let spec = #config::Spec::new();
                #(#spec_steps)*
                spec
            }

            fn from_config(config: &#config::Config) -> Self {
                #name { #(#conversions,)* }
            }
        }
    })
}

/// The `///` comment of a field, its lines joined with spaces.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let syn::Lit::Str(s) = &lit.lit
        {
            let line = s.value();
            let line = line.trim();
            if !line.is_empty() {
                lines.push(line.to_owned());
            }
        }
    }
    lines.join(" ")
}
