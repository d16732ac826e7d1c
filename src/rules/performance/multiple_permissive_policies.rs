use crate::declare_rule;
use crate::findings::Finding;
use crate::model::{Policy, PolicyCommand, BYPASS_ROLES};
use crate::rules::{LintContext, Rule, RuleMeta};
use std::collections::{BTreeMap, BTreeSet};

/// Overlaps spelled out in one message; the rest are counted.
const MAX_LISTED: usize = 4;

const COMMANDS: [PolicyCommand; 4] = [
    PolicyCommand::Select,
    PolicyCommand::Insert,
    PolicyCommand::Update,
    PolicyCommand::Delete,
];

declare_rule! {
    /// ## What it does
    /// Reports a table with more than one permissive policy for the same role and command.
    /// `FOR ALL` counts for every command, a policy without `TO` applies to every role
    /// (`anon` and `authenticated` included), and roles that bypass row level security
    /// (`service_role`, `postgres`) are left out. One finding per table lists the overlaps.
    ///
    /// ## Why is this bad?
    /// PostgreSQL evaluates every permissive policy that applies and ORs the results, for
    /// every row. Two policies cost twice as much as one policy with both conditions,
    /// and overlapping intent is hard to review.
    ///
    /// ## Example
    /// ```sql
    /// create policy "read own" on public.docs for select to authenticated
    ///   using ((select auth.uid()) = owner);
    /// create policy "read shared" on public.docs for select to authenticated
    ///   using (shared);
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create policy "read own or shared" on public.docs for select to authenticated
    ///   using ((select auth.uid()) = owner or shared);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore multiple-permissive-policies: <reason>` before the last of the
    /// overlapping policies.
    pub struct MultiplePermissivePolicies {
        id: "multiple-permissive-policies",
        severity: Warning,
        category: Performance,
        summary: "Several permissive policies apply to the same role and command",
    }
}

impl Rule for MultiplePermissivePolicies {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let mut by_table: BTreeMap<&str, Vec<&Policy>> = BTreeMap::new();
        for policy in cx
            .model
            .policies
            .values()
            .filter(|p| p.parsed && p.permissive)
        {
            by_table
                .entry(policy.table.as_str())
                .or_default()
                .push(policy);
        }
        for (table, policies) in by_table {
            let overlaps = overlaps(&policies);
            if overlaps.is_empty() {
                continue;
            }
            let involved: BTreeSet<&str> = overlaps
                .keys()
                .flat_map(|(_, names)| names.iter().copied())
                .collect();
            let Some(last) = policies
                .iter()
                .filter(|p| involved.contains(p.name.as_str()))
                .max_by_key(|p| p.history.changed)
            else {
                continue;
            };
            let mut described: Vec<String> = overlaps
                .iter()
                .map(|((command, names), roles)| {
                    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                    let roles: Vec<&str> = roles.iter().copied().collect();
                    format!(
                        "{} for {}: {}",
                        command.as_str(),
                        roles.join(", "),
                        names.join(", ")
                    )
                })
                .collect();
            if described.len() > MAX_LISTED {
                let more = described.len() - MAX_LISTED;
                described.truncate(MAX_LISTED);
                described.push(format!("and {more} more"));
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    last.history.changed,
                    format!(
                        "table `{table}` has several permissive policies for the same role and command ({}); each one runs for every row",
                        described.join("; ")
                    ),
                )
                .with_help("merge the overlapping policies into one per role and command, combining their conditions with `or`")
                .with_object(table),
            );
        }
    }
}

/// (command, policy names) → the roles for which exactly these policies overlap.
fn overlaps<'a>(
    policies: &[&'a Policy],
) -> BTreeMap<(PolicyCommand, Vec<&'a str>), BTreeSet<&'a str>> {
    let mut roles: BTreeSet<&str> = ["anon", "authenticated"].into_iter().collect();
    roles.extend(
        policies
            .iter()
            .flat_map(|p| p.roles.iter().map(String::as_str))
            .filter(|r| *r != "public" && !BYPASS_ROLES.contains(r)),
    );
    let mut found: BTreeMap<(PolicyCommand, Vec<&str>), BTreeSet<&str>> = BTreeMap::new();
    for role in roles {
        for command in COMMANDS {
            let names: Vec<&str> = policies
                .iter()
                .filter(|p| p.command.covers(command))
                .filter(|p| p.roles.iter().any(|r| r == role || r == "public"))
                .map(|p| p.name.as_str())
                .collect();
            if names.len() > 1 {
                found.entry((command, names)).or_default().insert(role);
            }
        }
    }
    found
}
