mod duplicate_version;
mod invalid_migration_name;
mod mixed_version_widths;
pub use duplicate_version::DuplicateVersion;
pub use invalid_migration_name::InvalidMigrationName;
pub use mixed_version_widths::MixedVersionWidths;
