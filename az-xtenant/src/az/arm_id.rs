//! ARM IDs, parsed and built in one place:
//! `/subscriptions/<s>/resourceGroups/<g>/providers/<namespace>/<type>/<name>/…`.
//! ARM compares the keywords and names in an ID without case, so the parts
//! are found by keyword, case ignored, not by position.

/// What kind of scope an ID names, as ARM places role assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// `/`: the root of the directory.
    Root,
    /// `/providers/Microsoft.Management/managementGroups/<mg>`.
    ManagementGroup,
    /// `/subscriptions/<s>`.
    Subscription,
    /// `/subscriptions/<s>/resourceGroups/<g>`.
    ResourceGroup,
    /// Anything further down a subscription: a resource or its child.
    Resource,
    /// Not an ID of any of the above (e.g. `/subscriptions` alone).
    Other,
}

/// Where the ID's segments are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmId<'a> {
    id: &'a str,
}

impl<'a> ArmId<'a> {
    pub fn parse(id: &'a str) -> Self {
        Self { id }
    }

    /// The segments between the slashes (the leading slash dropped).
    fn segments(self) -> impl Iterator<Item = &'a str> {
        self.id.trim_start_matches('/').split('/')
    }

    /// How many segments the ID has: 2 for a subscription, 4 for a group.
    pub fn depth(self) -> usize {
        self.segments().count()
    }

    /// The segment after the first `keyword` (case ignored), if any.
    pub fn after(self, keyword: &str) -> Option<&'a str> {
        let mut it = self
            .segments()
            .skip_while(|s| !s.eq_ignore_ascii_case(keyword));
        it.next()?;
        it.next()
    }

    /// The subscription it is in (empty when it names none).
    pub fn subscription(self) -> &'a str {
        self.after("subscriptions").unwrap_or_default()
    }

    /// The resource group it is in (empty when it names none).
    pub fn resource_group(self) -> &'a str {
        self.after("resourceGroups").unwrap_or_default()
    }

    /// The name of the child of type `kind` on the path (e.g. the identity
    /// of a federated credential: `userAssignedIdentities`).
    pub fn child(self, kind: &str) -> &'a str {
        self.after(kind).unwrap_or_default()
    }

    /// Its last segment: the object's own name.
    pub fn name(self) -> &'a str {
        self.id.rsplit('/').next().unwrap_or_default()
    }

    /// What kind of scope it names, told by its leading keywords (case
    /// ignored) rather than by a string prefix.
    pub fn kind(self) -> ScopeKind {
        let id = self.id.trim_end_matches('/');
        if id.is_empty() {
            return ScopeKind::Root;
        }
        let segs: Vec<&str> = ArmId { id }.segments().collect();
        let is =
            |i: usize, keyword: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(keyword));
        if is(0, "providers") && is(1, "Microsoft.Management") && is(2, "managementGroups") {
            return if segs.len() > 3 {
                ScopeKind::ManagementGroup
            } else {
                ScopeKind::Other
            };
        }
        if !is(0, "subscriptions") || segs.len() < 2 {
            return ScopeKind::Other;
        }
        match segs.len() {
            2 => ScopeKind::Subscription,
            4 if is(2, "resourceGroups") => ScopeKind::ResourceGroup,
            _ => ScopeKind::Resource,
        }
    }

    /// Whether it lies strictly inside the object `outer` (case ignored,
    /// on a segment boundary: `rg-a` is not inside `rg`).
    pub fn is_inside(self, outer: &str) -> bool {
        self.id
            .to_ascii_lowercase()
            .strip_prefix(&outer.to_ascii_lowercase())
            .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Whether it is `outer` itself or lies inside it.
    pub fn is_within(self, outer: &str) -> bool {
        self.id.eq_ignore_ascii_case(outer) || self.is_inside(outer)
    }

    /// Whether its name is `name` (ARM names compare without case).
    pub fn is_named(self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name)
    }
}

/// The ID of a subscription.
pub fn subscription(sub: &str) -> String {
    format!("/subscriptions/{sub}")
}

/// The ID of a resource group.
pub fn group(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// The ID of a resource in a group: `provider_type` as
/// `Microsoft.ServiceBus/namespaces`.
pub fn resource(sub: &str, rg: &str, provider_type: &str, name: &str) -> String {
    format!("{}/providers/{provider_type}/{name}", group(sub, rg))
}

/// Service Bus namespaces.
pub const NAMESPACES: &str = "Microsoft.ServiceBus/namespaces";
/// User-assigned managed identities.
pub const IDENTITIES: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
/// AKS clusters.
pub const CLUSTERS: &str = "Microsoft.ContainerService/managedClusters";
/// The keyword before a federated credential's name.
pub const CREDENTIALS: &str = "federatedIdentityCredentials";
/// The keyword before a user-assigned identity's name.
pub const IDENTITY: &str = "userAssignedIdentities";

/// The ID of a Service Bus namespace.
pub fn namespace(sub: &str, rg: &str, ns: &str) -> String {
    resource(sub, rg, NAMESPACES, ns)
}

/// The ID of a user-assigned managed identity.
pub fn identity(sub: &str, rg: &str, name: &str) -> String {
    resource(sub, rg, IDENTITIES, name)
}

/// The ID of an AKS cluster.
pub fn cluster(sub: &str, rg: &str, name: &str) -> String {
    resource(sub, rg, CLUSTERS, name)
}

/// The ID of a federated credential of the identity `identity_id`.
pub fn credential(identity_id: &str, name: &str) -> String {
    format!("{identity_id}/{CREDENTIALS}/{name}")
}

/// The ID of a role assignment at `scope` (itself an ARM ID, or `/`).
pub fn role_assignment(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDENTIAL: &str = "/subscriptions/S1/resourceGroups/rg-b/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1/federatedIdentityCredentials/fic-1";

    #[test]
    fn parts_are_found_by_keyword_without_case() {
        let id = ArmId::parse(CREDENTIAL);
        assert_eq!(id.subscription(), "S1");
        assert_eq!(id.resource_group(), "rg-b");
        assert_eq!(id.child(IDENTITY), "id-1");
        assert_eq!(id.child(CREDENTIALS), "fic-1");
        assert_eq!(id.name(), "fic-1");
        assert!(id.is_named("FIC-1"));
        assert!(!id.is_named("fic"));
        let upper = ArmId::parse("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg");
        assert_eq!((upper.subscription(), upper.resource_group()), ("s", "rg"));
    }

    #[test]
    fn ids_that_name_no_part_answer_empty() {
        let mg = ArmId::parse("/providers/Microsoft.Management/managementGroups/mg");
        assert_eq!(mg.subscription(), "");
        assert_eq!(mg.resource_group(), "");
        assert_eq!(mg.name(), "mg");
        assert_eq!(ArmId::parse("/subscriptions").subscription(), "");
        assert_eq!(ArmId::parse("").name(), "");
    }

    #[test]
    fn depth_tells_subscription_group_and_resource_apart() {
        assert_eq!(ArmId::parse(&subscription("s")).depth(), 2);
        assert_eq!(ArmId::parse(&group("s", "rg")).depth(), 4);
        assert_eq!(ArmId::parse(&namespace("s", "rg", "ns")).depth(), 8);
    }

    #[test]
    fn scope_kinds_are_told_by_keyword_without_case() {
        let kind = |id: &str| ArmId::parse(id).kind();
        assert_eq!(kind("/"), ScopeKind::Root);
        assert_eq!(kind(""), ScopeKind::Root);
        assert_eq!(
            kind("/providers/Microsoft.Management/managementGroups/mg-corp"),
            ScopeKind::ManagementGroup
        );
        assert_eq!(
            kind("/PROVIDERS/microsoft.management/MANAGEMENTGROUPS/mg"),
            ScopeKind::ManagementGroup
        );
        assert_eq!(kind("/SubScriptions/S1"), ScopeKind::Subscription);
        assert_eq!(kind("/subscriptions/s1/"), ScopeKind::Subscription);
        assert_eq!(
            kind("/subscriptions/s/RESOURCEGROUPS/rg"),
            ScopeKind::ResourceGroup
        );
        assert_eq!(kind(&namespace("s", "rg", "sb")), ScopeKind::Resource);
        assert_eq!(
            kind("/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/g"),
            ScopeKind::Resource
        );
        assert_eq!(kind("/subscriptions"), ScopeKind::Other);
        assert_eq!(
            kind("/providers/Microsoft.Management/managementGroups"),
            ScopeKind::Other
        );
        assert_eq!(kind("/providers/Microsoft.Web/sites/x"), ScopeKind::Other);
    }

    #[test]
    fn inside_is_on_a_segment_boundary_and_ignores_case() {
        let rg = group("s", "rg");
        let ns = ArmId::parse(
            "/SUBSCRIPTIONS/S/resourcegroups/RG/providers/Microsoft.ServiceBus/namespaces/sb",
        );
        assert!(ns.is_inside(&rg) && ns.is_within(&rg));
        assert!(!ArmId::parse(&rg).is_inside(&rg));
        assert!(ArmId::parse("/Subscriptions/S/resourceGroups/RG").is_within(&rg));
        assert!(!ArmId::parse(&group("s", "rg-a")).is_within(&rg));
        assert!(!ArmId::parse(&subscription("s0")).is_within(&subscription("s")));
    }

    #[test]
    fn built_ids_parse_back() {
        assert_eq!(
            namespace("s", "rg", "sb"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb"
        );
        assert_eq!(
            identity("s", "rg", "id"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"
        );
        assert_eq!(
            cluster("s", "rg", "aks"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
        );
        let fic = credential(&identity("s", "rg", "id"), "f");
        assert_eq!(ArmId::parse(&fic).child(IDENTITY), "id");
        assert_eq!(ArmId::parse(&fic).child(CREDENTIALS), "f");
        let ra = role_assignment(&namespace("s", "rg", "sb"), "g-1");
        assert!(
            ra.ends_with("/namespaces/sb/providers/Microsoft.Authorization/roleAssignments/g-1"),
            "{ra}"
        );
        let parsed = ArmId::parse(&ra);
        assert_eq!(
            (
                parsed.subscription(),
                parsed.resource_group(),
                parsed.name()
            ),
            ("s", "rg", "g-1")
        );
    }
}
