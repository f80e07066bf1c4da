//! Reading a Heat template exactly as Heat 27 reads it.
//!
//! Owner: issue 2 (template core). Placeholder until that work lands.

/// Errors reading, parsing or validating a template or environment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template is invalid at `place`.
    #[error("{place}: {message}")]
    Invalid {
        /// Where (file and template path).
        place: String,
        /// Heat's cause.
        message: String,
    },
}
