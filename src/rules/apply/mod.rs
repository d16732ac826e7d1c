//! Rules reported by the apply stage (`schemagate check`): documented here, emitted by
//! `postgres::apply`.

mod apply_failed;
mod apply_timeout;
mod extension_emulated;
mod extension_unavailable;
mod non_transactional_statement;
pub use apply_failed::ApplyFailed;
pub use apply_timeout::ApplyTimeout;
pub use extension_emulated::ExtensionEmulated;
pub use extension_unavailable::ExtensionUnavailable;
pub use non_transactional_statement::NonTransactionalStatement;
