mod function_search_path_mutable;
mod objects_in_supabase_schemas;
mod policy_always_true;
mod policy_user_metadata;
mod policy_without_rls;
mod rls_disabled;
mod rls_enabled_no_policy;
mod security_definer_search_path;
mod security_definer_view;

pub use function_search_path_mutable::FunctionSearchPathMutable;
pub use objects_in_supabase_schemas::ObjectsInSupabaseSchemas;
pub use policy_always_true::PolicyAlwaysTrue;
pub use policy_user_metadata::PolicyUserMetadata;
pub use policy_without_rls::PolicyWithoutRls;
pub use rls_disabled::RlsDisabled;
pub use rls_enabled_no_policy::RlsEnabledNoPolicy;
pub use security_definer_search_path::SecurityDefinerSearchPath;
pub use security_definer_view::SecurityDefinerView;
