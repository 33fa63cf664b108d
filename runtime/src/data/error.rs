//! The error for data that do not fit a model's `data` block, worded like Stan's checks.

use std::fmt;
use std::path::{Path, PathBuf};

/// Data that do not fit the model's `data` block, or a data file that cannot be read.
///
/// It names the variable and, where it applies, the element (1-based, outermost index first),
/// what was expected and what was found, and displays as one sentence, for example
/// `y[3]: expected an integer, found 2.5`. The parts are boxed so that results stay small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError(Box<Parts>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts {
    kind: DataErrorKind,
    variable: Option<String>,
    index: Option<Vec<usize>>,
    expected: String,
    found: String,
    file: Option<PathBuf>,
}

/// The kinds of [`DataError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataErrorKind {
    /// The text is not JSON; `line` and `column` are 1-based, the column counts characters.
    Syntax {
        /// Line of the first character that does not fit.
        line: usize,
        /// Column of that character.
        column: usize,
    },
    /// The file could not be read; `found` holds the operating system's message.
    Io,
    /// The file is not a zip archive holding one JSON member.
    Archive,
    /// A variable with non-zero size is absent.
    Missing,
    /// An element has the wrong type or value (a string, 2.5 for an `int`, ...).
    Value,
    /// An array has the wrong length in dimension `dimension` (1-based).
    Dimension {
        /// The 1-based dimension whose length is wrong.
        dimension: usize,
    },
    /// An element is outside the declared `<lower, upper>` bounds.
    Bound,
    /// A size expression is negative.
    Size,
}

impl DataError {
    /// What kind of problem this is; it decides how the message reads.
    pub fn kind(&self) -> DataErrorKind {
        self.0.kind
    }

    /// The data variable, or the size for [`DataErrorKind::Size`]; `None` for file problems.
    pub fn variable(&self) -> Option<&str> {
        self.0.variable.as_deref()
    }

    /// The 1-based multi-index of the offending element, or of the offending sub-array.
    pub fn index(&self) -> Option<&[usize]> {
        self.0.index.as_deref()
    }

    /// What the model needs.
    pub fn expected(&self) -> &str {
        &self.0.expected
    }

    /// What the data hold.
    pub fn found(&self) -> &str {
        &self.0.found
    }

    /// The data file, when the data came from one.
    pub fn file(&self) -> Option<&Path> {
        self.0.file.as_deref()
    }

    pub(crate) fn new(
        kind: DataErrorKind,
        variable: &str,
        expected: String,
        found: String,
    ) -> Self {
        Self::general(kind, Some(variable), expected, found)
    }

    /// An error that may concern no variable, such as a syntax error.
    pub(crate) fn general(
        kind: DataErrorKind,
        variable: Option<&str>,
        expected: String,
        found: String,
    ) -> Self {
        DataError(Box::new(Parts {
            kind,
            variable: variable.map(str::to_string),
            index: None,
            expected,
            found,
            file: None,
        }))
    }

    pub(crate) fn missing(variable: &str) -> Self {
        Self::new(DataErrorKind::Missing, variable, String::new(), String::new())
    }

    pub(crate) fn at(mut self, index: &[usize]) -> Self {
        self.0.index = (!index.is_empty()).then(|| index.to_vec());
        self
    }

    pub(crate) fn in_file(mut self, file: PathBuf) -> Self {
        self.0.file = Some(file);
        self
    }

    fn write_element(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.variable().unwrap_or("data"))?;
        if let Some(index) = self.index() {
            f.write_str("[")?;
            for (k, i) in index.iter().enumerate() {
                if k > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{i}")?;
            }
            f.write_str("]")?;
        }
        Ok(())
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = self.file() {
            write!(f, "{}: ", file.display())?;
        }
        let (expected, found) = (self.expected(), self.found());
        let variable = self.variable().unwrap_or("data");
        match self.kind() {
            DataErrorKind::Syntax { line, column } => {
                write!(f, "line {line}, column {column}: expected {expected}, found {found}")
            }
            DataErrorKind::Io => f.write_str(found),
            DataErrorKind::Archive => write!(f, "expected {expected}, found {found}"),
            DataErrorKind::Missing => write!(f, "variable `{variable}` is missing from the data"),
            DataErrorKind::Value => {
                self.write_element(f)?;
                write!(f, ": expected {expected}, found {found}")
            }
            DataErrorKind::Dimension { dimension } => {
                write!(
                    f,
                    "{variable}: dimension {dimension} has size {found}, expected {expected}"
                )?;
                if self.index().is_some() {
                    f.write_str(" in ")?;
                    self.write_element(f)?;
                }
                Ok(())
            }
            DataErrorKind::Bound => {
                self.write_element(f)?;
                write!(f, " is {found}, but must be {expected}")
            }
            DataErrorKind::Size => {
                write!(f, "size `{variable}` is {found}, but must be {expected}")
            }
        }
    }
}

impl std::error::Error for DataError {}

/// Writes a number for a message as [`crate::model::Real`] shows it, so that 1e300 does not
/// print as 301 digits.
pub(crate) fn format_real(x: f64) -> String {
    crate::model::Real(x).to_string()
}
