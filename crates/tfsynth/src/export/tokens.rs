//! Expressions in HCL native syntax, spaced as `terraform fmt` spaces them.
//!
//! The text of an expression is taken from the JSON exactly as synthesis
//! wrote it, split into tokens, and joined again with the spacing rules of
//! Terraform's formatter (HashiCorp's `hclwrite`): a space after commas,
//! around operators and inside braces, none inside other brackets, around
//! dots or inside template sequences. Re-spacing never changes meaning;
//! comments are dropped, and line breaks become the commas they stand for
//! between the items of an object constructor, so every expression fits on
//! one line.

/// A token of HCL native syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// A name or keyword.
    Ident(String),
    /// A number, as written.
    Number(String),
    /// `"` opening a quoted template.
    OQuote,
    /// Literal text of a quoted template, escapes as written.
    Lit(String),
    /// `"` closing a quoted template.
    CQuote,
    /// `${`, with `~` when it strips.
    Interp(bool),
    /// `%{`, with `~` when it strips.
    Control(bool),
    /// `}` closing a template sequence, with `~` when it strips.
    SeqEnd(bool),
    /// Punctuation and operators: `( ) [ ] { } . , ... : ? = => ! - + * / %
    /// == != < <= > >= && || ::`.
    Punct(&'static str),
    /// A line break (only kept while reading).
    Newline,
}

impl Tok {
    /// +1 for an opening bracket, -1 for a closing one.
    fn bracket(&self) -> i32 {
        match self {
            Tok::Punct("(" | "[" | "{") | Tok::Interp(_) | Tok::Control(_) => 1,
            Tok::Punct(")" | "]" | "}") | Tok::SeqEnd(_) => -1,
            _ => 0,
        }
    }

    fn is(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(q) if *q == p)
    }

    fn text(&self, out: &mut String) {
        match self {
            Tok::Ident(s) | Tok::Number(s) | Tok::Lit(s) => out.push_str(s),
            Tok::OQuote | Tok::CQuote => out.push('"'),
            Tok::Interp(strip) => out.push_str(if *strip { "${~" } else { "${" }),
            Tok::Control(strip) => out.push_str(if *strip { "%{~" } else { "%{" }),
            Tok::SeqEnd(strip) => out.push_str(if *strip { "~}" } else { "}" }),
            Tok::Punct(p) => out.push_str(p),
            Tok::Newline => out.push('\n'),
        }
    }
}

const PUNCT: &[&str] = &[
    "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "::", "(", ")", "[", "]", "{", "}", ".", ",",
    ":", "?", "=", "!", "-", "+", "*", "/", "%", "<", ">",
];

/// Splits expression text into tokens; `Err` with a reason on text that is
/// not an expression (synthesis and validation parse every template first,
/// so this is a safeguard).
pub(super) fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
    };
    lexer.expr(false)?;
    Ok(lexer.out)
}

/// The tokens of a quoted template whose content is `src` (a JSON string
/// value): literal parts escaped for a quoted string, sequences lexed.
pub(super) fn quoted_template(
    src: &str,
    code: &[std::ops::Range<usize>],
) -> Result<Vec<Tok>, String> {
    let mut out = vec![Tok::OQuote];
    let mut at = 0;
    for range in code {
        if range.start > at {
            out.push(Tok::Lit(escape_quoted(&src[at..range.start])));
        }
        let mut lexer = Lexer {
            src: &src[..range.end],
            pos: range.start,
            out: Vec::new(),
        };
        lexer.sequence()?;
        out.extend(lexer.out);
        at = range.end;
    }
    if at < src.len() {
        out.push(Tok::Lit(escape_quoted(&src[at..])));
    }
    out.push(Tok::CQuote);
    Ok(out)
}

/// One template sequence (`${ … }` or `%{ … }`, at `range` of `src`), spaced.
pub(super) fn sequence(src: &str, range: std::ops::Range<usize>) -> Result<String, String> {
    let mut lexer = Lexer {
        src: &src[..range.end],
        pos: range.start,
        out: Vec::new(),
    };
    lexer.sequence()?;
    Ok(render(lexer.out))
}

/// Template literal text as the inside of a quoted string: backslashes,
/// quotes and control characters escaped (`$${` and `%%{` stay as written).
pub(super) fn escape_quoted(text: &str) -> String {
    crate::core::expr::escape_quoted_template_text(text)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Tok>,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    /// Tokens until the end of the text, or (`in_sequence`) the `}` that
    /// closes the template sequence being read.
    fn expr(&mut self, in_sequence: bool) -> Result<(), String> {
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return if in_sequence {
                    Err("unterminated template sequence".into())
                } else {
                    Ok(())
                };
            };
            match c {
                '\n' => {
                    self.out.push(Tok::Newline);
                    self.pos += 1;
                }
                c if c.is_whitespace() => self.pos += c.len_utf8(),
                '#' => self.skip_line(),
                '/' if rest.starts_with("//") => self.skip_line(),
                '/' if rest.starts_with("/*") => {
                    let end = rest.find("*/").ok_or("unterminated comment")?;
                    self.pos += end + 2;
                }
                '~' if in_sequence && depth == 0 && rest[1..].trim_start().starts_with('}') => {
                    let skip = 1 + (rest[1..].len() - rest[1..].trim_start().len());
                    self.pos += skip + 1;
                    self.out.push(Tok::SeqEnd(true));
                    return Ok(());
                }
                '}' if in_sequence && depth == 0 => {
                    self.pos += 1;
                    self.out.push(Tok::SeqEnd(false));
                    return Ok(());
                }
                '"' => self.quoted()?,
                c if c.is_ascii_digit() => {
                    let len = rest
                        .char_indices()
                        .find(|&(i, ch)| {
                            !(ch.is_ascii_alphanumeric()
                                || ch == '.'
                                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit())
                                || (ch == '+' || ch == '-')
                                    && i > 0
                                    && matches!(rest.as_bytes()[i - 1], b'e' | b'E'))
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    self.out.push(Tok::Number(rest[..len].to_owned()));
                    self.pos += len;
                }
                c if c.is_alphabetic() || c == '_' => {
                    let len = rest
                        .char_indices()
                        .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_' || ch == '-'))
                        .map_or(rest.len(), |(i, _)| i);
                    self.out.push(Tok::Ident(rest[..len].to_owned()));
                    self.pos += len;
                }
                _ => {
                    let p = PUNCT
                        .iter()
                        .find(|p| rest.starts_with(**p))
                        .ok_or_else(|| format!("unexpected {c:?}"))?;
                    match *p {
                        "(" | "[" | "{" => depth += 1,
                        ")" | "]" | "}" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    self.out.push(Tok::Punct(p));
                    self.pos += p.len();
                }
            }
        }
    }

    fn skip_line(&mut self) {
        let rest = self.rest();
        self.pos += rest.find('\n').unwrap_or(rest.len());
    }

    /// `${ … }` or `%{ … }` at the current position.
    fn sequence(&mut self) -> Result<(), String> {
        let rest = self.rest();
        let strip = rest[2..].starts_with('~');
        self.out.push(if rest.starts_with('$') {
            Tok::Interp(strip)
        } else {
            Tok::Control(strip)
        });
        self.pos += 2 + usize::from(strip);
        self.expr(true)
    }

    /// A quoted template inside an expression, escapes kept as written.
    fn quoted(&mut self) -> Result<(), String> {
        self.out.push(Tok::OQuote);
        self.pos += 1;
        let mut lit = String::new();
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err("unterminated string".into());
            };
            if c == '"' {
                self.pos += 1;
                break;
            }
            if c == '\\' {
                let next = rest[1..].chars().next().ok_or("unterminated string")?;
                lit.push('\\');
                lit.push(next);
                self.pos += 1 + next.len_utf8();
            } else if rest.starts_with("$${") || rest.starts_with("%%{") {
                lit.push_str(&rest[..3]);
                self.pos += 3;
            } else if rest.starts_with("${") || rest.starts_with("%{") {
                if !lit.is_empty() {
                    self.out.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                self.sequence()?;
            } else if c == '\n' {
                return Err("line break in a quoted string".into());
            } else {
                lit.push(c);
                self.pos += c.len_utf8();
            }
        }
        if !lit.is_empty() {
            self.out.push(Tok::Lit(lit));
        }
        self.out.push(Tok::CQuote);
        Ok(())
    }
}

/// Whether a token can end an operand (so that a line break after it, inside
/// an object constructor, separates two items).
fn ends_operand(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Ident(_) | Tok::Number(_) | Tok::CQuote | Tok::Punct(")" | "]" | "}")
    )
}

/// Whether a token can start an object item.
fn starts_item(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Ident(_) | Tok::Number(_) | Tok::OQuote | Tok::Punct("(")
    )
}

/// Drops line breaks, turning those that separate object items into commas.
fn one_line(tokens: Vec<Tok>) -> Vec<Tok> {
    // For each open bracket, whether it is an object constructor (not a `for`).
    let mut objects: Vec<bool> = Vec::new();
    let mut out: Vec<Tok> = Vec::with_capacity(tokens.len());
    let mut pending_break = false;
    for (i, t) in tokens.iter().enumerate() {
        if *t == Tok::Newline {
            pending_break = true;
            continue;
        }
        if pending_break {
            pending_break = false;
            let in_object = objects.last().copied().unwrap_or(false);
            if in_object && out.last().is_some_and(ends_operand) && starts_item(t) {
                out.push(Tok::Punct(","));
            }
        }
        match t.bracket() {
            1 => {
                let is_for = matches!(tokens[i + 1..].iter().find(|t| **t != Tok::Newline), Some(Tok::Ident(w)) if w == "for");
                objects.push(t.is("{") && !is_for);
            }
            -1 => {
                objects.pop();
            }
            _ => {}
        }
        out.push(t.clone());
    }
    out
}

fn is_keyword_in(t: &Tok) -> bool {
    matches!(t, Tok::Ident(w) if w == "in")
}

/// Whether `terraform fmt` puts a space between `subject` and `after`.
fn space_after(before: Option<&Tok>, subject: &Tok, after: &Tok) -> bool {
    use Tok::*;
    match (subject, after) {
        (Ident(_), a) if a.is("(") => false,
        (Ident(_), a) if a.is("::") => false,
        (s, Ident(_)) if s.is("::") => false,
        (s, a) if s.is(".") || a.is(".") => false,
        (_, a) if a.is(",") || a.is("...") => false,
        (s, _) if s.is(",") => true,
        (Lit(_) | OQuote, _) | (_, Lit(_) | CQuote) => false,
        (s, _) if is_keyword_in(s) && matches!(before, Some(Ident(_))) => true,
        (Ident(_) | Number(_), a) if a.is("[") => false,
        (s, a) if a.is("[") && s.bracket() < 0 => false,
        (s, _) if s.is("!") => false,
        (s, _) if s.is("-") => !matches!(
            before,
            None | Some(
                Punct(
                    "(" | "{"
                        | "["
                        | "="
                        | ":"
                        | ","
                        | "?"
                        | "+"
                        | "*"
                        | "/"
                        | "%"
                        | "-"
                        | "=="
                        | "!="
                        | ">"
                        | ">="
                        | "<"
                        | "<="
                        | "&&"
                        | "||"
                        | "!"
                ) | Interp(_)
                    | Control(_)
            )
        ),
        (s, a) if s.is("{") && a.is("}") => false,
        (s, a) if s.is("{") || a.is("}") => true,
        (Interp(_) | Control(_), a) if a.is("{") => true,
        (s, SeqEnd(_)) if s.is("}") => true,
        (SeqEnd(_), Interp(_) | Control(_)) => false,
        (s, _) if s.bracket() > 0 => false,
        (_, a) if a.bracket() < 0 => false,
        _ => true,
    }
}

/// The tokens as one line of formatted text.
pub(super) fn render(tokens: Vec<Tok>) -> String {
    let tokens = one_line(tokens);
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && space_after(i.checked_sub(2).map(|j| &tokens[j]), &tokens[i - 1], t) {
            out.push(' ');
        }
        t.text(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        render(lex(src).unwrap())
    }

    #[test]
    fn spacing_follows_terraform_fmt() {
        assert_eq!(fmt("merge(a,b)"), "merge(a, b)");
        assert_eq!(fmt("var.x [0]"), "var.x[0]");
        assert_eq!(fmt("a==b?c:-d"), "a == b ? c : -d");
        assert_eq!(fmt("x - 1"), "x - 1");
        assert_eq!(fmt("!a&&b"), "!a && b");
        assert_eq!(fmt("{a=1}"), "{ a = 1 }");
        assert_eq!(fmt("{}"), "{}");
        assert_eq!(
            fmt("[ for x in y : upper(x) if x != \"\" ]"),
            "[for x in y : upper(x) if x != \"\"]"
        );
        assert_eq!(
            fmt("{for k, v in m : k => v}"),
            "{ for k, v in m : k => v }"
        );
        assert_eq!(fmt("f(xs...)"), "f(xs...)");
        assert_eq!(
            fmt("provider::aws::arn_parse(x)"),
            "provider::aws::arn_parse(x)"
        );
        assert_eq!(fmt("aws_instance.web[*].id"), "aws_instance.web[*].id");
        assert_eq!(fmt("\"a-${ b }\""), "\"a-${b}\"");
        assert_eq!(fmt("\"%{ if x }y%{ endif }\""), "\"%{if x}y%{endif}\"");
        assert_eq!(fmt("1.5e+3"), "1.5e+3");
    }

    #[test]
    fn line_breaks_become_commas_between_object_items() {
        assert_eq!(
            fmt("{\n  a = 1\n  b = [\n 2,\n 3\n]\n}"),
            "{ a = 1, b = [2, 3] }"
        );
        assert_eq!(
            fmt("{ for k, v in m :\n k => v }"),
            "{ for k, v in m : k => v }"
        );
        assert_eq!(fmt("f(a, # one\n b)"), "f(a, b)");
    }

    #[test]
    fn literal_text_is_escaped_for_quoted_strings() {
        assert_eq!(
            escape_quoted("say \"hi\"\\\n\t"),
            "say \\\"hi\\\"\\\\\\n\\t"
        );
        assert_eq!(escape_quoted("$${kept} %%{kept}"), "$${kept} %%{kept}");
    }
}
