mod auth_rls_initplan;
mod duplicate_index;
mod multiple_permissive_policies;
mod no_primary_key;
mod unindexed_foreign_key;

pub use auth_rls_initplan::AuthRlsInitplan;
pub use duplicate_index::DuplicateIndex;
pub use multiple_permissive_policies::MultiplePermissivePolicies;
pub use no_primary_key::NoPrimaryKey;
pub use unindexed_foreign_key::UnindexedForeignKey;
