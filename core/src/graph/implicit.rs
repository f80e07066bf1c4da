//! The implicit edges Heat's resource plugins add (`add_dependencies()` of ten types),
//! re-derived from `shared/heat/implicit-dependencies.md` §3.
//!
//! Heat pairs every resource with every other one; here the values each rule compares
//! (a network, a router, a subnet, a VPC) are read once per resource and indexed, so a
//! rule costs the edges it adds. Heat iterates resources in set order; this iterates in
//! name order, which only matters where Heat aborts a rule half way (§3.5).

use std::collections::BTreeSet;

use super::properties::{truthy_str, NodeProperties, Props, Read, Resolver, Str};
use super::types::Kind;
use super::{Adjacency, FastMap as HashMap, Types};

/// What the rules read of one resource (strings borrowed from its properties where
/// they hold them as read).
enum Facts<'v> {
    Server { networks: Read<Option<Vec<Str<'v>>>> },
    Port { network: Read<Str<'v>>, fixed_ip_subnets: Read<Vec<Str<'v>>> },
    Subnet { network: Read<Str<'v>> },
    Router { gateway_network: Read<Option<Str<'v>>> },
    RouterGateway { router_id: Read<Str<'v>>, network: Read<Str<'v>> },
    RouterInterface { router: Read<Str<'v>>, subnet: Read<Str<'v>> },
    FloatingIp { floating_network: Read<Str<'v>> },
    FloatingIpAssociation,
    ExtraRoute { router_id: Read<Str<'v>> },
    ExtraRouteSet { router: Read<Str<'v>> },
    VpcGatewayAttachment { vpc: Read<Str<'v>> },
    RouteTable { vpc: Read<Str<'v>> },
    Other,
}

impl<'v> Facts<'v> {
    fn read(kind: Kind, props: NodeProperties<'v>, resolver: &'v Resolver<'v>) -> Facts<'v> {
        let p = Props::new(props, resolver, property_keys(kind));
        match kind {
            Kind::Server => Facts::Server {
                networks: p.list_of_maps("networks").and_then(|entries| {
                    entries
                        .map(|entries| {
                            entries
                                .iter()
                                .map(|e| e.nested_string("network", Some("uuid")))
                                .collect()
                        })
                        .transpose()
                }),
            },
            Kind::Port => Facts::Port {
                network: p.string("network", Some("network_id"), true),
                // `subnet or subnet_id`: the deprecated `subnet_id` was moved onto
                // `subnet` and reads None.
                fixed_ip_subnets: p.list_of_maps("fixed_ips").and_then(|entries| {
                    entries
                        .unwrap_or_default()
                        .iter()
                        .map(|e| e.nested_string("subnet", Some("subnet_id")).map(or_none))
                        .collect()
                }),
            },
            Kind::Subnet => {
                Facts::Subnet { network: p.string("network", Some("network_id"), true) }
            }
            Kind::Router => Facts::Router {
                gateway_network: p.map("external_gateway_info", &["network"]).and_then(|info| {
                    info.map(|info| info.nested_string("network", None)).transpose()
                }),
            },
            Kind::RouterGateway => Facts::RouterGateway {
                router_id: p.string("router_id", None, true),
                // `network_id` is moved onto `network` (and then reads None).
                network: p.string("network", Some("network_id"), false),
            },
            Kind::RouterInterface => Facts::RouterInterface {
                router: p.string("router", Some("router_id"), true),
                subnet: p.string("subnet", Some("subnet_id"), false).map(or_none),
            },
            Kind::FloatingIp => Facts::FloatingIp {
                floating_network: p.string("floating_network", Some("floating_network_id"), true),
            },
            Kind::FloatingIpAssociation | Kind::FloatingIpPortForward => {
                Facts::FloatingIpAssociation
            }
            Kind::ExtraRoute => Facts::ExtraRoute { router_id: p.string("router_id", None, true) },
            Kind::ExtraRouteSet => Facts::ExtraRouteSet { router: p.string("router", None, true) },
            Kind::VpcGatewayAttachment => {
                Facts::VpcGatewayAttachment { vpc: p.string("VpcId", None, true) }
            }
            Kind::RouteTable => Facts::RouteTable { vpc: p.string("VpcId", None, true) },
            Kind::Other => Facts::Other,
        }
    }
}

/// The top-level properties [`Facts::read`] looks up for a resource of `kind` (and
/// [`Props`] checks in debug builds that it reads no other): callers may leave every
/// other property out, which spares resolving them.
pub(super) fn property_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Server => &["networks"],
        Kind::Port => &["network", "network_id", "fixed_ips"],
        Kind::Subnet => &["network", "network_id"],
        Kind::Router => &["external_gateway_info"],
        Kind::RouterGateway => &["router_id", "network", "network_id"],
        Kind::RouterInterface => &["router", "router_id", "subnet", "subnet_id"],
        Kind::FloatingIp => &["floating_network", "floating_network_id"],
        Kind::ExtraRoute => &["router_id"],
        Kind::ExtraRouteSet => &["router"],
        Kind::VpcGatewayAttachment | Kind::RouteTable => &["VpcId"],
        Kind::FloatingIpAssociation | Kind::FloatingIpPortForward | Kind::Other => &[],
    }
}

/// Python's `value or None`.
fn or_none(value: Str<'_>) -> Str<'_> {
    value.filter(|s| !s.is_empty())
}

/// Resources (by index) grouped by one compared value.
#[derive(Default)]
struct Index<'v>(HashMap<Str<'v>, Vec<u32>>);

impl<'v> Index<'v> {
    fn add(&mut self, value: &Read<Str<'v>>, node: u32) {
        if let Ok(v) = value {
            match self.0.get_mut(v) {
                Some(nodes) => nodes.push(node),
                None => {
                    self.0.insert(v.clone(), vec![node]);
                }
            }
        }
    }

    fn get(&self, value: &Str<'v>) -> &[u32] {
        self.0.get(value).map_or(&[], Vec::as_slice)
    }
}

/// The implicit edges `(dependent, dependency)` of the resources `names` (sorted; indices
/// are positions), given each one's properties and explicit requirements: sorted,
/// without duplicates.
pub(super) fn edges(
    names: &[&str],
    properties: &[NodeProperties<'_>],
    types: &Types,
    explicit: &Adjacency,
) -> Vec<(u32, u32)> {
    let kinds: Vec<Kind> = types.map_per_node(Kind::of);
    if kinds
        .iter()
        .all(|k| matches!(k, Kind::Other | Kind::Subnet | Kind::RouterInterface | Kind::RouteTable))
    {
        return Vec::new(); // no rule owner: skip reading properties at all
    }
    let resolver = Resolver::new(names, types);
    let facts: Vec<Facts<'_>> = properties
        .iter()
        .zip(&kinds)
        .map(|(&p, &k)| if k == Kind::Other { Facts::Other } else { Facts::read(k, p, &resolver) })
        .collect();

    let mut all_subnets = Vec::new(); // subnets whose network can be read
    let mut subnets_by_network = Index::default();
    let mut unknown_network_subnets = Vec::new(); // network '' (None never happens: required)
    let mut interfaces_by_router = Index::default();
    let mut interfaces_by_subnet = Index::default();
    let mut gateways_by_router = Index::default();
    let mut gateways_by_network = Index::default();
    let mut routers_by_gateway = Index::default();
    let mut route_tables_by_vpc = Index::default();
    // Heat reads a RouterInterface's subnet without a guard in the FloatingIP rules:
    // an error there ends the rule at that resource.
    let mut interface_abort = u32::MAX;
    for (i, fact) in facts.iter().enumerate() {
        let i = i as u32;
        match fact {
            Facts::Subnet { network: Ok(network) } => {
                all_subnets.push(i);
                if truthy_str(network) {
                    subnets_by_network.add(&Ok(network.clone()), i);
                } else {
                    unknown_network_subnets.push(i);
                }
            }
            Facts::RouterInterface { router, subnet } => {
                interfaces_by_router.add(router, i);
                interfaces_by_subnet.add(subnet, i);
                if subnet.is_err() {
                    interface_abort = interface_abort.min(i);
                }
            }
            Facts::RouterGateway { router_id, network } => {
                gateways_by_router.add(router_id, i);
                // The FloatingIP rule reads `network or network_id`, the latter None.
                gateways_by_network.add(&network.clone().map(or_none), i);
            }
            Facts::Router { gateway_network: Ok(Some(network)) } => {
                routers_by_gateway.add(&Ok(network.clone()), i)
            }
            Facts::RouteTable { vpc } => route_tables_by_vpc.add(vpc, i),
            _ => {}
        }
    }
    // Subnets whose network equals `network` (a subnet's network is never None).
    fn subnets_on<'a, 'v>(
        network: &Str<'v>,
        known: &'a Index<'v>,
        unknown: &'a [u32],
    ) -> &'a [u32] {
        if truthy_str(network) {
            known.get(network)
        } else if network.is_some() {
            unknown
        } else {
            &[]
        }
    }
    let subnets_on = |network| subnets_on(network, &subnets_by_network, &unknown_network_subnets);
    // The explicit requirements of `i` that are Ports.
    let kinds = &kinds;
    let required_ports =
        |i: usize| explicit[i].iter().filter(move |&&d| kinds[d as usize] == Kind::Port);

    let mut edges = Vec::new();
    for (i, fact) in facts.iter().enumerate() {
        let first = edges.len();
        let mut add = |targets: &[u32]| {
            edges.extend(targets.iter().map(|&t| (i as u32, t)));
        };
        match fact {
            // §3.1: any entry without a known network, or a subnet without one, or the
            // same network.
            Facts::Server { networks: Ok(Some(networks)) } if !networks.is_empty() => {
                if networks.iter().any(|n| !truthy_str(n)) {
                    add(&all_subnets);
                } else {
                    add(&unknown_network_subnets);
                    for network in networks {
                        add(subnets_by_network.get(network));
                    }
                }
            }
            // §3.2
            Facts::Port { network: Ok(network), .. } => add(subnets_on(network)),
            // §3.3
            Facts::Router { gateway_network: Ok(Some(network)) } => add(subnets_on(network)),
            // §3.4
            Facts::RouterGateway { router_id, network, .. } => {
                if let Ok(router_id) = router_id {
                    add(interfaces_by_router.get(router_id));
                }
                if let Ok(network) = network {
                    add(subnets_on(network));
                }
            }
            // §3.5
            Facts::FloatingIp { floating_network } => {
                let before_abort = |targets: &[u32]| {
                    targets.iter().copied().filter(|&t| t < interface_abort).collect::<Vec<_>>()
                };
                if let Ok(fnet) = floating_network {
                    add(&before_abort(gateways_by_network.get(fnet)));
                    add(&before_abort(routers_by_gateway.get(fnet)));
                }
                let mut subnets: BTreeSet<Str<'_>> = BTreeSet::new();
                for d in required_ports(i) {
                    match &facts[*d as usize] {
                        // No fixed IPs: Heat would ask Neutron unless the interface's
                        // subnet is None; offline, only None matches.
                        Facts::Port { fixed_ip_subnets: Ok(fixed), .. } if fixed.is_empty() => {
                            subnets.insert(None);
                        }
                        Facts::Port { fixed_ip_subnets: Ok(fixed), .. } => {
                            subnets.extend(fixed.iter().cloned())
                        }
                        _ => {}
                    }
                }
                for subnet in &subnets {
                    add(&before_abort(interfaces_by_subnet.get(subnet)));
                }
            }
            // §3.6: only each port's first fixed IP is compared (Heat's early return);
            // a port whose fixed_ips cannot be read aborts the rule.
            Facts::FloatingIpAssociation => {
                let mut firsts: BTreeSet<Str<'_>> = BTreeSet::new();
                let mut aborted = false;
                for d in required_ports(i) {
                    match &facts[*d as usize] {
                        Facts::Port { fixed_ip_subnets: Ok(fixed), .. } => {
                            firsts.extend(fixed.first().cloned())
                        }
                        _ => aborted = true,
                    }
                }
                if !aborted {
                    for subnet in &firsts {
                        let targets: Vec<u32> = interfaces_by_subnet
                            .get(subnet)
                            .iter()
                            .copied()
                            .filter(|&t| t < interface_abort)
                            .collect();
                        add(&targets);
                    }
                }
            }
            // §3.7
            Facts::ExtraRoute { router_id: Ok(router_id) } => {
                add(interfaces_by_router.get(router_id));
                add(gateways_by_router.get(router_id));
            }
            // §3.8
            Facts::ExtraRouteSet { router: Ok(router) } => add(interfaces_by_router.get(router)),
            // §3.9
            Facts::VpcGatewayAttachment { vpc: Ok(vpc) } => add(route_tables_by_vpc.get(vpc)),
            _ => {}
        }
        // Heat's implicit edges are what the plugins add beyond the explicit graph.
        // Nodes come in order, so sorting each node's edges sorts them all.
        let added = &mut edges[first..];
        added.sort_unstable();
        let mut kept = first;
        for read in first..edges.len() {
            let edge = edges[read];
            let repeat = kept > first && edges[kept - 1] == edge;
            if !repeat && explicit[i].binary_search(&edge.1).is_err() {
                edges[kept] = edge;
                kept += 1;
            }
        }
        edges.truncate(kept);
    }
    edges
}
