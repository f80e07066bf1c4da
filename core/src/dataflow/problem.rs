//! The problems `heat-sync check` reports: `{severity, code, place, message}`.

use std::fmt;

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The template cannot work as written (exit status 1).
    Error,
    /// It works, but probably not as meant (exit status 0).
    Warning,
}

/// What kind of problem, as a stable machine-readable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    /// The `heat_sync` section does not have the documented shape.
    InvalidMetadata,
    /// Roles wait for each other in a loop: a cross-VM deadlock.
    Deadlock,
    /// A reference to an output (or attribute) the resource does not have.
    UnknownOutput,
    /// A reference to a resource the template does not have.
    UnknownResource,
    /// Two roles of one server with the same name.
    DuplicateRole,
    /// Two outputs of one server with the same name.
    DuplicateOutput,
    /// A node attribute path bound twice in one role.
    DuplicatePath,
    /// An input expression heat-sync cannot evaluate at run time.
    UnsupportedInput,
    /// An output nobody reads.
    UnreadOutput,
    /// An input that makes Heat order two coordinated servers.
    SerializedBoot,
    /// The template's version has no `digest`: every server holds the stack secret.
    SharedStackSecret,
    /// Heat itself rejects the template (its message, its place when it names one).
    InvalidTemplate,
    /// The compiled template is larger than Heat accepts by default (`compile` only).
    TemplateTooLarge,
    /// A role waits for a server that exists only under a condition.
    ConditionalProducer,
    /// A gather outside heat_sync lists the member count known at compile time, which
    /// parameters can change at stack create (`compile` only).
    FixedGatherCount,
}

impl Code {
    /// The code as printed (`deadlock`, `unknown-output`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidMetadata => "invalid-metadata",
            Code::Deadlock => "deadlock",
            Code::UnknownOutput => "unknown-output",
            Code::UnknownResource => "unknown-resource",
            Code::DuplicateRole => "duplicate-role",
            Code::DuplicateOutput => "duplicate-output",
            Code::DuplicatePath => "duplicate-path",
            Code::UnsupportedInput => "unsupported-input",
            Code::UnreadOutput => "unread-output",
            Code::SerializedBoot => "serialized-boot",
            Code::SharedStackSecret => "shared-stack-secret",
            Code::InvalidTemplate => "invalid-template",
            Code::TemplateTooLarge => "template-too-large",
            Code::ConditionalProducer => "conditional-producer",
            Code::FixedGatherCount => "fixed-gather-count",
        }
    }
}

/// One problem found by `heat-sync check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem.
    pub code: Code,
    /// The template path it is about
    /// (`resources.web.metadata.heat_sync.roles[0].inputs.wordpress.db.host`).
    pub place: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    /// An error.
    pub fn error(code: Code, place: &str, message: String) -> Self {
        Problem { severity: Severity::Error, code, place: place.into(), message }
    }

    /// A warning.
    pub fn warning(code: Code, place: &str, message: String) -> Self {
        Problem { severity: Severity::Warning, code, place: place.into(), message }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `place: message`, with `warning: ` in front of warnings (one line per problem).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}: {} [{}]", self.place, self.message, self.code.as_str())
    }
}

/// The closest candidate to `word` by edit distance, for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(did_you_mean("db_hots", ["db_host", "db_port"]), Some("db_host"));
        assert_eq!(did_you_mean("zzz", ["db_host", "db_port"]), None);
    }

    #[test]
    fn serializes_as_contract() {
        let p = Problem::warning(Code::UnreadOutput, "a.b", "m".into());
        let j = serde_json::to_value(&p).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"severity": "warning", "code": "unread-output", "place": "a.b", "message": "m"})
        );
    }
}
