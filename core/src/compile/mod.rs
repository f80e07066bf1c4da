//! The generated Heat template and its cloud-init user-data.
//!
//! Owner: issue 3 (compile). Placeholder until that work lands.

/// Errors producing the compiled template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// A problem at `place`.
    #[error("{place}: {message}")]
    Invalid {
        /// The template path.
        place: String,
        /// What is wrong.
        message: String,
    },
}
