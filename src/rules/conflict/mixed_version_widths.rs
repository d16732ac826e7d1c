use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a folder whose versions have different numbers of digits, such as 8-digit dates
    /// next to 14-digit timestamps.
    ///
    /// ## Why is this bad?
    /// Files are applied by name, so `20250101_b.sql` sorts after `20241231235959_a.sql` only
    /// by accident of the characters; ordering by name and by number disagree, and the next
    /// new file lands in an unexpected place.
    ///
    /// ## How to fix
    /// Use one format for every version (Supabase: `YYYYMMDDHHMMSS`), renaming the odd files
    /// before they are applied anywhere.
    pub struct MixedVersionWidths {
        id: "mixed-version-widths",
        severity: Warning,
        category: Conflict,
        summary: "Versions of different widths in one folder",
    }
}
