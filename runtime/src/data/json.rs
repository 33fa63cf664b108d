//! A tolerant parser for Stan's JSON data format (CmdStan guide, "JSON format for CmdStan").
//!
//! Stan's format is JSON plus the non-finite spellings that R, Python and Julia write: bare
//! `NaN`, `Infinity` and `-Infinity` tokens, and strings such as `"Inf"` or `"+inf"`. serde_json
//! rejects the bare tokens, so this module reads the text itself. Numbers keep whether they
//! were written as integer literals, which decides what an `int` variable accepts.

use std::collections::HashMap;

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: usize = 256;

/// One parsed JSON value, reduced to what a Stan data variable can hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// An integer literal such as `10` or `-3`.
    Int(i64),
    /// Any other number, including `2.0`, `1e6` and the non-finite spellings.
    Real(f64),
    /// An integer literal outside the range of `i64`, kept as the nearest double.
    BigInt(f64),
    /// A list.
    Array(Vec<Value>),
    /// A string, boolean, null or object: never valid for a data variable.
    Other(Other),
}

/// The JSON values that no Stan data variable can hold, kept for error messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Other {
    Str(Box<str>),
    Bool(bool),
    Null,
    Object,
}

/// Where the text stopped making sense, with 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub expected: String,
    pub found: String,
}

/// The value of a non-finite spelling (`NaN`, `Inf`, `-Infinity`, `+inf`, ...), compared
/// without regard to case, as Stan's JSON reader and cmdstanpy write them.
pub(crate) fn non_finite(text: &str) -> Option<f64> {
    let (negative, word) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if word.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else if word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("infinity") {
        Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY })
    } else {
        None
    }
}

/// Parses a whole document, which must be one object; returns its members.
pub(crate) fn parse_object(text: &str) -> Result<HashMap<String, Value>, SyntaxError> {
    let mut parser = Parser { text, pos: 0, depth: 0 };
    parser.skip_whitespace();
    if parser.peek() != Some(b'{') {
        return Err(parser.error("`{` opening the data object"));
    }
    let mut members = HashMap::new();
    parser.object(|name, value, start| {
        if members.contains_key(&name) {
            return Err((start, format!("`{name}` a second time")));
        }
        members.insert(name, value);
        Ok(())
    })?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error("the end of the data after the closing `}`"));
    }
    Ok(members)
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
}

/// A member the object callback refuses: where the member started, and what was found there.
type Refusal = (usize, String);

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// An error at the current position, describing the character found there.
    fn error(&self, expected: &str) -> SyntaxError {
        let found = match self.text[self.pos..].chars().next() {
            Some(c) => format!("`{c}`"),
            None => "the end of the input".to_string(),
        };
        self.error_at(self.pos, expected, found)
    }

    fn error_at(&self, pos: usize, expected: &str, found: String) -> SyntaxError {
        let before = &self.text[..pos];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        SyntaxError {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            expected: expected.to_string(),
            found,
        }
    }

    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), SyntaxError> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("at most 256 levels of nesting"));
        }
        Ok(())
    }

    /// Reads `{ "name": value, ... }`, handing each member to `member`.
    fn object(
        &mut self,
        mut member: impl FnMut(String, Value, usize) -> Result<(), Refusal>,
    ) -> Result<(), SyntaxError> {
        self.enter()?;
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            let start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(self.error("a quoted variable name"));
            }
            let name = self.string()?;
            self.expect(b':', "`:` after the variable name")?;
            let value = self.value()?;
            member(name, value, start)
                .map_err(|(at, found)| self.error_at(at, "each variable once", found))?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => break,
                _ => return Err(self.error("`,` or `}`")),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                _ => return Err(self.error("`,` or `]`")),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => {
                self.object(|_, _, _| Ok(()))?;
                Ok(Value::Other(Other::Object))
            }
            Some(b'[') => self.array(),
            Some(b'"') => {
                let text = self.string()?;
                Ok(match non_finite(&text) {
                    Some(x) => Value::Real(x),
                    None => Value::Other(Other::Str(text.into_boxed_str())),
                })
            }
            Some(b'-' | b'+') if self.next_is_letter() => self.word(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            _ => Err(self.error("a value")),
        }
    }

    fn next_is_letter(&self) -> bool {
        self.text.as_bytes().get(self.pos + 1).is_some_and(u8::is_ascii_alphabetic)
    }

    /// A bare word: `true`, `false`, `null`, or a non-finite spelling such as `-Infinity`.
    fn word(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        match word {
            "true" => Ok(Value::Other(Other::Bool(true))),
            "false" => Ok(Value::Other(Other::Bool(false))),
            "null" => Ok(Value::Other(Other::Null)),
            _ => match non_finite(word) {
                Some(x) => Ok(Value::Real(x)),
                None => Err(self.error_at(start, "a value", format!("`{word}`"))),
            },
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number in JSON's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if self.digits() == 0 {
            return Err(self.error("a digit"));
        }
        if self.text.as_bytes()[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(self.error_at(int_start, "a number without leading zeros", "`0`".into()));
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("a digit after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integral = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.pos];
        // The grammar was checked above, so both parses below only fail on overflow, and
        // `f64` parsing rounds correctly (and saturates to infinity).
        let real = literal.parse::<f64>().unwrap_or(f64::NAN);
        if integral {
            Ok(literal.parse::<i64>().map_or(Value::BigInt(real), Value::Int))
        } else {
            Ok(Value::Real(real))
        }
    }

    /// A string literal, with JSON's escapes decoded.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let plain = rest.find(|c: char| c == '"' || c == '\\' || c < ' ');
            let Some(stop) = plain else {
                self.pos = self.text.len();
                return Err(self.error("`\"` closing the string"));
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.error("a character allowed in a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.error("an escape such as `\\n` or `\\u0041`")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(code) if digits.is_some_and(|d| d.bytes().all(|b| b.is_ascii_hexdigit())) => {
                self.pos += 4;
                Ok(code)
            }
            _ => Err(self.error("four hexadecimal digits")),
        }
    }

    /// The part after `\u`, joining a UTF-16 surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let start = self.pos;
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.error("`\\u` with the second half of a surrogate pair"));
            }
            self.pos += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.error_at(start, "a valid surrogate pair", format!("{low:04x}")));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code)
            .ok_or_else(|| self.error_at(start, "a Unicode scalar value", format!("{code:04x}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> HashMap<String, Value> {
        parse_object(text).unwrap()
    }

    #[test]
    fn integer_literals_stay_integers() {
        let v = parse(r#"{"a": 10, "b": 10.0, "c": -0, "d": 1e6, "e": 99999999999999999999}"#);
        assert_eq!(v["a"], Value::Int(10));
        assert_eq!(v["b"], Value::Real(10.0));
        assert_eq!(v["c"], Value::Int(0));
        assert_eq!(v["d"], Value::Real(1e6));
        assert_eq!(v["e"], Value::BigInt(1e20));
    }

    #[test]
    fn numbers_parse_to_the_nearest_double() {
        let v = parse(r#"{"x": [0.1, 2.2250738585072014e-308, 1.7976931348623157e308, 1e400]}"#);
        let expected = [0.1, f64::MIN_POSITIVE, f64::MAX, f64::INFINITY];
        let Value::Array(items) = &v["x"] else { panic!("not an array") };
        for (item, want) in items.iter().zip(expected) {
            assert_eq!(*item, Value::Real(want));
        }
    }

    #[test]
    fn non_finite_spellings() {
        for (text, want) in
            [("NaN", f64::NAN), ("-inf", f64::NEG_INFINITY), ("+Inf", f64::INFINITY)]
        {
            let got = non_finite(text).unwrap();
            assert!(got == want || (got.is_nan() && want.is_nan()), "{text}");
        }
        assert_eq!(non_finite("-nana"), None);
        assert_eq!(non_finite(""), None);
        assert_eq!(non_finite("-"), None);
    }

    #[test]
    fn strings_decode_escapes_and_surrogate_pairs() {
        let v = parse(r#"{"a\"b\\c\u00e9\ud83d\ude00": 1}"#);
        assert!(v.contains_key("a\"b\\c\u{e9}\u{1F600}"));
    }

    #[test]
    fn nested_objects_in_unused_fields_are_skipped() {
        let v = parse(r#"{"meta": {"a": [1, {"b": null}], "c": true}, "N": 3}"#);
        assert_eq!(v["meta"], Value::Other(Other::Object));
        assert_eq!(v["N"], Value::Int(3));
    }

    #[test]
    fn errors_give_line_and_column() {
        let err = parse_object("{\n  \"a\": 1,\n  \"b\": [1, 2 3]\n}").unwrap_err();
        assert_eq!((err.line, err.column), (3, 14));
        assert_eq!(err.expected, "`,` or `]`");
        assert_eq!(err.found, "`3`");
        let err = parse_object("{\"é\": [1,").unwrap_err();
        assert_eq!((err.line, err.column), (1, 10));
        assert_eq!(err.found, "the end of the input");
        let err = parse_object("{\"a\": 01}").unwrap_err();
        assert_eq!(
            (err.line, err.column, err.expected.as_str()),
            (1, 7, "a number without leading zeros")
        );
        let err = parse_object("{\"a\": Nope}").unwrap_err();
        assert_eq!((err.column, err.found.as_str()), (7, "`Nope`"));
        let err = parse_object("{\"a\": 1} x").unwrap_err();
        assert_eq!(err.expected, "the end of the data after the closing `}`");
        let err = parse_object("[1]").unwrap_err();
        assert_eq!(err.expected, "`{` opening the data object");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_object(&text).unwrap_err();
        assert_eq!(err.expected, "at most 256 levels of nesting");
    }

    #[test]
    fn duplicate_variables_are_refused() {
        let err = parse_object("{\"N\": 1,\n \"N\": 2}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 2));
        assert_eq!(err.found, "`N` a second time");
    }
}
