mod policy_user_metadata;
pub use policy_user_metadata::PolicyUserMetadata;
