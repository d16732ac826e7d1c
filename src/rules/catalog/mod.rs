//! Rules only a real catalog can check (queries in `src/inspect/queries/`). Registered as
//! stage rules: documented and configurable, reported by `inspect` and `check`.

mod anon_executable_security_definer;
mod auth_users_exposed;
mod extension_in_public;
mod fkey_to_auth_unique;
mod foreign_table_in_api;
mod materialized_view_in_api;
mod public_bucket_allows_listing;
mod sensitive_columns_exposed;
mod unsupported_reg_types;
pub use anon_executable_security_definer::AnonExecutableSecurityDefiner;
pub use auth_users_exposed::AuthUsersExposed;
pub use extension_in_public::ExtensionInPublic;
pub use fkey_to_auth_unique::FkeyToAuthUnique;
pub use foreign_table_in_api::ForeignTableInApi;
pub use materialized_view_in_api::MaterializedViewInApi;
pub use public_bucket_allows_listing::PublicBucketAllowsListing;
pub use sensitive_columns_exposed::SensitiveColumnsExposed;
pub use unsupported_reg_types::UnsupportedRegTypes;
