//! The recursive-descent parser behind [`super::parse_template`] and
//! [`super::parse_expression`]. It works on bytes of UTF-8 text (every
//! delimiter is ASCII), limits nesting depth so hostile input cannot
//! exhaust the stack, and reports the first error with its byte offset.

use std::fmt;

use super::{ForExpr, Hcl, Segment};
use crate::core::BinOp;

/// Nesting deeper than this is rejected rather than risking the stack. Each
/// level of parentheses costs a few units (one per grammar level), so this
/// allows about sixty levels, far beyond real configurations, while staying
/// well inside a 2 MiB thread stack even in unoptimized builds.
const MAX_DEPTH: usize = 200;

/// Operators one chain may hold (`a + b + ...` of one precedence level).
/// A chain parses in a loop but builds a tree as deep as it is long, which
/// every later walk (and dropping it) would recurse through.
const MAX_CHAIN: usize = 256;

/// A syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the parsed text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a string template, as Terraform reads a JSON string value.
pub fn parse_template(text: &str) -> Result<Vec<Segment>, ParseError> {
    let mut p = Parser {
        src: text,
        pos: 0,
        depth: 0,
        code: Vec::new(),
    };
    let (parts, end) = p.parts(false)?;
    match end {
        End::Eof => Ok(parts),
        End::Keyword(word, at) => {
            Err(p.error_at(at, format!("`{word}` without `{}`", opener(word))))
        }
        End::Quote => unreachable!("unquoted templates do not end at quotes"),
    }
}

/// The byte ranges of a string template's interpolation (`${ … }`) and
/// directive (`%{ … }`) sequences, in order, delimiters included; the rest
/// of the text is literal (with `$${` and `%%{` escapes as written).
pub fn template_code(text: &str) -> Result<Vec<std::ops::Range<usize>>, ParseError> {
    let mut p = Parser {
        src: text,
        pos: 0,
        depth: 0,
        code: Vec::new(),
    };
    let (_, end) = p.parts(false)?;
    match end {
        End::Eof => Ok(p.code),
        End::Keyword(word, at) => {
            Err(p.error_at(at, format!("`{word}` without `{}`", opener(word))))
        }
        End::Quote => unreachable!("unquoted templates do not end at quotes"),
    }
}

/// Parses a whole expression (as in `${ … }` without the delimiters).
pub fn parse_expression(text: &str) -> Result<Hcl, ParseError> {
    let mut p = Parser {
        src: text,
        pos: 0,
        depth: 0,
        code: Vec::new(),
    };
    let expr = p.expr()?;
    p.ws();
    if p.pos < p.src.len() {
        return Err(p.expected("the end of the expression"));
    }
    Ok(expr)
}

fn opener(word: &str) -> &'static str {
    match word {
        "endfor" => "for",
        _ => "if",
    }
}

/// How a run of template parts ended.
enum End {
    Eof,
    Quote,
    /// `else`, `endif` or `endfor`, with the offset of its `%{`.
    Keyword(&'static str, usize),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    /// The byte ranges of the template's own `${ … }` and `%{ … }`
    /// sequences (not those of strings nested in its expressions).
    code: Vec<std::ops::Range<usize>>,
}

impl<'a> Parser<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes().get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.src[self.pos..].starts_with(s)
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            message: message.into(),
        }
    }

    fn found(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => "the end of the text".to_owned(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        self.error_at(self.pos, format!("expected {what}, found {}", self.found()))
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(self.pos, "expression nested too deeply"));
        }
        Ok(())
    }

    /// Skips white space and comments.
    fn ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'#') => self.skip_line(),
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.skip_line(),
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    match self.src[self.pos + 2..].find("*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => self.pos = self.src.len(),
                    }
                }
                _ => return,
            }
        }
    }

    fn skip_line(&mut self) {
        match self.src[self.pos..].find('\n') {
            Some(end) => self.pos += end + 1,
            None => self.pos = self.src.len(),
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), ParseError> {
        self.ws();
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.expected(&format!("`{s}`")))
        }
    }

    fn ident(&mut self) -> Option<&'a str> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.pos += 1,
            _ => return None,
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
                self.pos += 1;
            } else {
                break;
            }
        }
        Some(&self.src[start..self.pos])
    }

    /// Whether the next word is `word` (followed by a non-identifier character).
    fn at_keyword(&self, word: &str) -> bool {
        self.starts_with(word)
            && !self
                .bytes()
                .get(self.pos + word.len())
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
    }

    // ---- templates ----

    /// Template parts until the end of the text, a closing quote (`quoted`),
    /// or a closing directive keyword.
    fn parts(&mut self, quoted: bool) -> Result<(Vec<Segment>, End), ParseError> {
        self.enter()?;
        let start = self.pos.saturating_sub(1);
        let mut parts = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, parts: &mut Vec<Segment>| {
            if !text.is_empty() {
                parts.push(Segment::Text(std::mem::take(text)));
            }
        };
        loop {
            let Some(c) = self.peek() else {
                if quoted {
                    return Err(self.error_at(start, "unterminated string"));
                }
                flush(&mut text, &mut parts);
                self.depth -= 1;
                return Ok((parts, End::Eof));
            };
            if quoted && c == b'"' {
                self.pos += 1;
                flush(&mut text, &mut parts);
                self.depth -= 1;
                return Ok((parts, End::Quote));
            }
            if quoted && c == b'\\' {
                text.push(self.escape()?);
                continue;
            }
            if self.eat("$${") {
                text.push_str("${");
            } else if self.eat("%%{") {
                text.push_str("%{");
            } else if self.eat("${") {
                let at = self.pos - 2;
                flush(&mut text, &mut parts);
                self.eat("~");
                let expr = self.expr()?;
                self.ws();
                self.eat("~");
                self.expect("}")?;
                if !quoted {
                    self.code.push(at..self.pos);
                }
                parts.push(Segment::Interp(expr));
            } else if self.starts_with("%{") {
                let at = self.pos;
                self.pos += 2;
                self.eat("~");
                self.ws();
                flush(&mut text, &mut parts);
                match self.ident() {
                    Some("if") => parts.push(self.if_directive(quoted, at)?),
                    Some("for") => parts.push(self.for_directive(quoted, at)?),
                    Some(word @ ("else" | "endif" | "endfor")) => {
                        self.close_directive()?;
                        if !quoted {
                            self.code.push(at..self.pos);
                        }
                        self.depth -= 1;
                        let word = match word {
                            "else" => "else",
                            "endif" => "endif",
                            _ => "endfor",
                        };
                        return Ok((parts, End::Keyword(word, at)));
                    }
                    _ => {
                        return Err(
                            self.expected("`if`, `for`, `else`, `endif` or `endfor` after `%{`")
                        );
                    }
                }
            } else {
                let ch = self.src[self.pos..].chars().next().expect("not at the end");
                text.push(ch);
                self.pos += ch.len_utf8();
            }
        }
    }

    fn close_directive(&mut self) -> Result<(), ParseError> {
        self.ws();
        self.eat("~");
        self.expect("}")
    }

    fn if_directive(&mut self, quoted: bool, at: usize) -> Result<Segment, ParseError> {
        let cond = self.expr()?;
        self.close_directive()?;
        if !quoted {
            self.code.push(at..self.pos);
        }
        let (then, end) = self.parts(quoted)?;
        let (otherwise, end) = match end {
            End::Keyword("else", _) => self.parts(quoted)?,
            other => (Vec::new(), other),
        };
        match end {
            End::Keyword("endif", _) => Ok(Segment::If(cond, then, otherwise)),
            _ => Err(self.error_at(
                self.pos,
                format!("expected `%{{ endif }}`, found {}", self.found_end(at)),
            )),
        }
    }

    fn for_directive(&mut self, quoted: bool, at: usize) -> Result<Segment, ParseError> {
        let (key, value, collection) = self.for_head()?;
        self.close_directive()?;
        if !quoted {
            self.code.push(at..self.pos);
        }
        let (body, end) = self.parts(quoted)?;
        match end {
            End::Keyword("endfor", _) => Ok(Segment::For(key, value, collection, body)),
            _ => Err(self.error_at(
                self.pos,
                format!("expected `%{{ endfor }}`, found {}", self.found_end(at)),
            )),
        }
    }

    fn found_end(&self, _opened_at: usize) -> String {
        if self.pos >= self.src.len() {
            "the end of the text".to_owned()
        } else {
            self.found()
        }
    }

    /// `k, v in coll` (after the `for` keyword).
    fn for_head(&mut self) -> Result<(Option<String>, String, Hcl), ParseError> {
        self.ws();
        let first = self
            .ident()
            .ok_or_else(|| self.expected("a name after `for`"))?
            .to_owned();
        self.ws();
        let (key, value) = if self.eat(",") {
            self.ws();
            let second = self
                .ident()
                .ok_or_else(|| self.expected("a second name after `,`"))?
                .to_owned();
            (Some(first), second)
        } else {
            (None, first)
        };
        self.ws();
        if !(self.at_keyword("in") && self.eat("in")) {
            return Err(self.expected("`in`"));
        }
        let collection = self.expr()?;
        Ok((key, value, collection))
    }

    /// A backslash escape inside a quoted string.
    fn escape(&mut self) -> Result<char, ParseError> {
        let at = self.pos;
        self.pos += 1;
        let c = self
            .peek()
            .ok_or_else(|| self.error_at(at, "unterminated escape"))?;
        self.pos += 1;
        Ok(match c {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'"' => '"',
            b'\\' => '\\',
            b'u' | b'U' => {
                let len = if c == b'u' { 4 } else { 8 };
                let hex = self
                    .src
                    .get(self.pos..self.pos + len)
                    .ok_or_else(|| self.error_at(at, "short unicode escape"))?;
                let code = u32::from_str_radix(hex, 16)
                    .map_err(|_| self.error_at(at, "bad unicode escape"))?;
                self.pos += len;
                char::from_u32(code)
                    .ok_or_else(|| self.error_at(at, "unicode escape is not a character"))?
            }
            _ => return Err(self.error_at(at, format!("unknown escape `\\{}`", c as char))),
        })
    }

    // ---- expressions ----

    fn expr(&mut self) -> Result<Hcl, ParseError> {
        self.enter()?;
        let cond = self.binary(0)?;
        self.ws();
        let result = if self.peek() == Some(b'?') {
            self.pos += 1;
            let then = self.expr()?;
            self.expect(":")?;
            let otherwise = self.expr()?;
            Hcl::Cond(Box::new(cond), Box::new(then), Box::new(otherwise))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(result)
    }

    /// The binary operator at the cursor with its precedence level, if any.
    fn operator(&self) -> Option<(BinOp, usize, usize)> {
        // Longer symbols first: `<=` is not `<` then `=`.
        const OPS: [(BinOp, usize); 13] = [
            (BinOp::Or, 0),
            (BinOp::And, 1),
            (BinOp::Eq, 2),
            (BinOp::Ne, 2),
            (BinOp::Le, 3),
            (BinOp::Ge, 3),
            (BinOp::Lt, 3),
            (BinOp::Gt, 3),
            (BinOp::Add, 4),
            (BinOp::Sub, 4),
            (BinOp::Mul, 5),
            (BinOp::Div, 5),
            (BinOp::Mod, 5),
        ];
        // `=>` belongs to for expressions and `//` starts a comment.
        if self.starts_with("=>") || self.starts_with("//") || self.starts_with("/*") {
            return None;
        }
        OPS.iter()
            .find(|(op, _)| self.starts_with(op.symbol()))
            .map(|&(op, level)| (op, level, op.symbol().len()))
    }

    fn binary(&mut self, min_level: usize) -> Result<Hcl, ParseError> {
        let mut lhs = self.unary()?;
        let mut chain = 0;
        loop {
            self.ws();
            match self.operator() {
                Some((op, level, len)) if level >= min_level => {
                    chain += 1;
                    if chain > MAX_CHAIN {
                        return Err(self.error_at(
                            self.pos,
                            format!("more than {MAX_CHAIN} operators in a row (hint: split the expression into locals)"),
                        ));
                    }
                    self.pos += len;
                    self.enter()?;
                    let rhs = self.binary(level + 1)?;
                    self.depth -= 1;
                    lhs = Hcl::Binary(op, Box::new(lhs), Box::new(rhs));
                }
                _ => return Ok(lhs),
            }
        }
    }

    fn unary(&mut self) -> Result<Hcl, ParseError> {
        self.ws();
        self.enter()?;
        let result = match self.peek() {
            Some(b'!') => {
                self.pos += 1;
                Hcl::Not(Box::new(self.unary()?))
            }
            Some(b'-') => {
                self.pos += 1;
                Hcl::Neg(Box::new(self.unary()?))
            }
            _ => self.postfix()?,
        };
        self.depth -= 1;
        Ok(result)
    }

    fn postfix(&mut self) -> Result<Hcl, ParseError> {
        let mut expr = self.primary()?;
        loop {
            let save = self.pos;
            self.ws();
            if self.starts_with(".*") {
                self.pos += 2;
                expr = Hcl::Splat(Box::new(expr));
            } else if self.peek() == Some(b'.') && self.peek_at(1) != Some(b'.') {
                self.pos += 1;
                if let Some(c) = self.peek().filter(u8::is_ascii_digit) {
                    let _ = c;
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    let index = Hcl::Number(self.src[start..self.pos].to_owned());
                    expr = Hcl::Index(Box::new(expr), Box::new(index));
                } else {
                    let name = self
                        .ident()
                        .ok_or_else(|| self.expected("an attribute name after `.`"))?;
                    expr = Hcl::GetAttr(Box::new(expr), name.to_owned());
                }
            } else if self.peek() == Some(b'[') {
                self.pos += 1;
                self.ws();
                if self.eat("*") {
                    self.expect("]")?;
                    expr = Hcl::Splat(Box::new(expr));
                } else {
                    let key = self.expr()?;
                    self.expect("]")?;
                    expr = Hcl::Index(Box::new(expr), Box::new(key));
                }
            } else {
                self.pos = save;
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Hcl, ParseError> {
        self.ws();
        let Some(c) = self.peek() else {
            return Err(self.expected("an expression"));
        };
        match c {
            b'0'..=b'9' => Ok(self.number()),
            b'"' => {
                self.pos += 1;
                let (parts, _) = self.parts(true)?;
                Ok(Hcl::Template(parts))
            }
            b'(' => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect(")")?;
                Ok(inner)
            }
            b'[' => self.tuple(),
            b'{' => self.object(),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let name = self.ident().expect("starts with a letter").to_owned();
                match name.as_str() {
                    "true" => return Ok(Hcl::Bool(true)),
                    "false" => return Ok(Hcl::Bool(false)),
                    "null" => return Ok(Hcl::Null),
                    _ => {}
                }
                let mut full = name;
                while self.starts_with("::") {
                    self.pos += 2;
                    let part = self
                        .ident()
                        .ok_or_else(|| self.expected("a name after `::`"))?;
                    full.push_str("::");
                    full.push_str(part);
                }
                let save = self.pos;
                self.ws();
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    self.call(full)
                } else {
                    self.pos = save;
                    if full.contains("::") {
                        return Err(self.expected("`(` after a provider function name"));
                    }
                    Ok(Hcl::Var(full))
                }
            }
            _ => Err(self.expected("an expression")),
        }
    }

    fn number(&mut self) -> Hcl {
        let start = self.pos;
        let digits = |p: &mut Self| {
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                digits(self);
            } else {
                self.pos = save;
            }
        }
        Hcl::Number(self.src[start..self.pos].to_owned())
    }

    fn call(&mut self, name: String) -> Result<Hcl, ParseError> {
        let mut args = Vec::new();
        let mut expand = false;
        loop {
            self.ws();
            if self.eat(")") {
                return Ok(Hcl::Call { name, args, expand });
            }
            if expand {
                return Err(self.expected("`)` after `...`"));
            }
            args.push(self.expr()?);
            self.ws();
            if self.eat("...") {
                expand = true;
                continue;
            }
            if !self.eat(",") {
                self.ws();
                if self.peek() != Some(b')') {
                    return Err(self.expected("`,` or `)`"));
                }
            }
        }
    }

    fn at_for(&mut self) -> bool {
        let save = self.pos;
        self.ws();
        let is_for = self.at_keyword("for");
        self.pos = save;
        is_for
    }

    fn tuple(&mut self) -> Result<Hcl, ParseError> {
        self.pos += 1;
        if self.at_for() {
            self.ws();
            self.pos += 3;
            let (key_var, value_var, collection) = self.for_head()?;
            self.expect(":")?;
            let value = self.expr()?;
            let condition = self.for_condition()?;
            self.expect("]")?;
            return Ok(Hcl::For(Box::new(ForExpr {
                key_var,
                value_var,
                collection,
                key: None,
                value,
                condition,
            })));
        }
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.eat("]") {
                return Ok(Hcl::Tuple(items));
            }
            items.push(self.expr()?);
            self.ws();
            if !self.eat(",") && self.peek() != Some(b']') {
                return Err(self.expected("`,` or `]`"));
            }
        }
    }

    fn for_condition(&mut self) -> Result<Option<Hcl>, ParseError> {
        self.ws();
        if self.at_keyword("if") {
            self.pos += 2;
            return Ok(Some(self.expr()?));
        }
        Ok(None)
    }

    fn object(&mut self) -> Result<Hcl, ParseError> {
        self.pos += 1;
        if self.at_for() {
            self.ws();
            self.pos += 3;
            let (key_var, value_var, collection) = self.for_head()?;
            self.expect(":")?;
            let key = self.expr()?;
            self.expect("=>")?;
            let value = self.expr()?;
            self.ws();
            self.eat("...");
            let condition = self.for_condition()?;
            self.expect("}")?;
            return Ok(Hcl::For(Box::new(ForExpr {
                key_var,
                value_var,
                collection,
                key: Some(key),
                value,
                condition,
            })));
        }
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.eat("}") {
                return Ok(Hcl::Object(items));
            }
            let key = self.expr()?;
            self.ws();
            if !(self.eat("=") || self.eat(":")) {
                return Err(self.expected("`=` or `:` after an object key"));
            }
            let value = self.expr()?;
            items.push((key, value));
            self.ws();
            self.eat(",");
        }
    }
}
