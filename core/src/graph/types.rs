//! What the graph needs to know about resource types: which implicit-dependency rule a
//! type takes part in, and what `get_resource` gives for it before the resource exists.
//!
//! Both tables come from Heat 27.0.1 (`shared/heat/resource-types.json`:
//! `add_dependencies_overridden` and `reference_id_before_create`); the test
//! `graph_types` checks them against that file so they cannot drift.

/// The resource types that Heat's implicit-dependency rules look at, by the interface
/// Heat's `Resource.has_interface()` tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Server,
    Port,
    Subnet,
    Router,
    RouterGateway,
    RouterInterface,
    FloatingIp,
    FloatingIpAssociation,
    FloatingIpPortForward,
    ExtraRoute,
    ExtraRouteSet,
    VpcGatewayAttachment,
    RouteTable,
    /// Any type no rule mentions.
    Other,
}

/// Heat's global environment maps every `OS::Quantum::X` to `OS::Neutron::X`.
fn canonical(resource_type: &str) -> std::borrow::Cow<'_, str> {
    match resource_type.strip_prefix("OS::Quantum::") {
        Some(rest) => format!("OS::Neutron::{rest}").into(),
        None => resource_type.into(),
    }
}

impl Kind {
    /// The kind of a resource of type `resource_type` (already resolved through the
    /// environment's resource_registry by the caller).
    pub(crate) fn of(resource_type: &str) -> Kind {
        match &*canonical(resource_type) {
            "OS::Nova::Server" => Kind::Server,
            "OS::Neutron::Port" => Kind::Port,
            "OS::Neutron::Subnet" => Kind::Subnet,
            "OS::Neutron::Router" => Kind::Router,
            "OS::Neutron::RouterGateway" => Kind::RouterGateway,
            "OS::Neutron::RouterInterface" => Kind::RouterInterface,
            "OS::Neutron::FloatingIP" => Kind::FloatingIp,
            "OS::Neutron::FloatingIPAssociation" => Kind::FloatingIpAssociation,
            "OS::Neutron::FloatingIPPortForward" => Kind::FloatingIpPortForward,
            "OS::Neutron::ExtraRoute" => Kind::ExtraRoute,
            "OS::Neutron::ExtraRouteSet" => Kind::ExtraRouteSet,
            "AWS::EC2::VPCGatewayAttachment" => Kind::VpcGatewayAttachment,
            "AWS::EC2::RouteTable" => Kind::RouteTable,
            _ => Kind::Other,
        }
    }
}

/// The types whose `get_reference_id()` is None before the resource is created: every
/// `NeutronResource` and four others. Sorted, for binary search.
pub const REFERENCE_ID_NONE: &[&str] = &[
    "OS::Heat::Stack",
    "OS::Heat::SwiftSignalHandle",
    "OS::Mistral::Workflow",
    "OS::Neutron::AddressScope",
    "OS::Neutron::ExtraRoute",
    "OS::Neutron::ExtraRouteSet",
    "OS::Neutron::Firewall",
    "OS::Neutron::FirewallPolicy",
    "OS::Neutron::FirewallRule",
    "OS::Neutron::FloatingIP",
    "OS::Neutron::FloatingIPAssociation",
    "OS::Neutron::FloatingIPPortForward",
    "OS::Neutron::FlowClassifier",
    "OS::Neutron::IKEPolicy",
    "OS::Neutron::IPsecPolicy",
    "OS::Neutron::IPsecSiteConnection",
    "OS::Neutron::L2Gateway",
    "OS::Neutron::L2GatewayConnection",
    "OS::Neutron::MeteringLabel",
    "OS::Neutron::MeteringRule",
    "OS::Neutron::Net",
    "OS::Neutron::NetworkGateway",
    "OS::Neutron::Port",
    "OS::Neutron::PortChain",
    "OS::Neutron::PortPair",
    "OS::Neutron::PortPairGroup",
    "OS::Neutron::ProviderNet",
    "OS::Neutron::QoSBandwidthLimitRule",
    "OS::Neutron::QoSDscpMarkingRule",
    "OS::Neutron::QoSMinimumBandwidthRule",
    "OS::Neutron::QoSMinimumPacketRateRule",
    "OS::Neutron::QoSPolicy",
    "OS::Neutron::Quota",
    "OS::Neutron::RBACPolicy",
    "OS::Neutron::Router",
    "OS::Neutron::RouterGateway",
    "OS::Neutron::RouterInterface",
    "OS::Neutron::SecurityGroup",
    "OS::Neutron::SecurityGroupRule",
    "OS::Neutron::Segment",
    "OS::Neutron::Subnet",
    "OS::Neutron::SubnetPool",
    "OS::Neutron::TaaS::TapFlow",
    "OS::Neutron::TaaS::TapService",
    "OS::Neutron::Trunk",
    "OS::Neutron::VPNService",
    "OS::Nova::KeyPair",
];

/// The types whose reference id before creation is the literal string `"None"`.
pub const REFERENCE_ID_LITERAL_NONE: &[&str] = &["AWS::S3::Bucket", "OS::Swift::Container"];

/// What `{get_resource: name}` / `{Ref: name}` reads as in a property before anything
/// exists (Heat's `get_reference_id()` on an unsaved resource): the resource's name for
/// most types, None for Neutron resources, the string `"None"` for two storage types.
pub(crate) fn reference_id_before_create<'a>(
    resource_type: &str,
    name: &'a str,
) -> Option<&'a str> {
    let ty = canonical(resource_type);
    if REFERENCE_ID_NONE.binary_search(&&*ty).is_ok() {
        None
    } else if REFERENCE_ID_LITERAL_NONE.contains(&&*ty) {
        Some("None")
    } else {
        Some(name)
    }
}

/// The types that override `add_dependencies()` in Heat 27 (the implicit rules).
pub const ADD_DEPENDENCIES_OVERRIDDEN: &[&str] = &[
    "AWS::EC2::VPCGatewayAttachment",
    "OS::Neutron::ExtraRoute",
    "OS::Neutron::ExtraRouteSet",
    "OS::Neutron::FloatingIP",
    "OS::Neutron::FloatingIPAssociation",
    "OS::Neutron::FloatingIPPortForward",
    "OS::Neutron::Port",
    "OS::Neutron::Router",
    "OS::Neutron::RouterGateway",
    "OS::Nova::Server",
];
