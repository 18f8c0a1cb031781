/**
 * Fake EC2 (a test double, not AWS): the read-only network description calls porch's doctor makes,
 * over a VPC layout the test plants (subnets, route tables, VPC endpoints, security groups).
 */
import { QueryWireError, ec2Filters, ec2List, type Params, type XmlValue } from "./query-wire.js";

export interface FakeSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone?: string;
  cidrBlock?: string;
  mapPublicIpOnLaunch?: boolean;
}

export interface FakeRoute {
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  transitGatewayId?: string;
  networkInterfaceId?: string;
  vpcPeeringConnectionId?: string;
  /** @default "active" */
  state?: "active" | "blackhole";
}

export interface FakeRouteTable {
  routeTableId: string;
  vpcId: string;
  /** The VPC's main route table: used by subnets without an explicit association. */
  main?: boolean;
  subnetIds?: string[];
  routes: FakeRoute[];
}

export interface FakeVpcEndpoint {
  vpcEndpointId: string;
  vpcId: string;
  serviceName: string;
  type: "Interface" | "Gateway";
  /** @default "available" */
  state?: string;
  routeTableIds?: string[];
  subnetIds?: string[];
  /** @default true for Interface endpoints */
  privateDnsEnabled?: boolean;
}

export interface FakeEgressRule {
  /** "-1" for all traffic. */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIp?: string[];
  cidrIpv6?: string[];
  prefixListIds?: string[];
}

export interface FakeSecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string;
  egress: FakeEgressRule[];
}

export interface FakeEc2Options {
  subnets?: FakeSubnet[];
  routeTables?: FakeRouteTable[];
  vpcEndpoints?: FakeVpcEndpoint[];
  securityGroups?: FakeSecurityGroup[];
}

export class FakeEc2 {
  constructor(
    readonly state: Required<FakeEc2Options>,
    private readonly region: string,
  ) {}

  handle(action: string, p: Params): Record<string, XmlValue> {
    const filters = ec2Filters(p);
    switch (action) {
      case "DescribeSubnets": {
        const ids = ec2List(p, "SubnetId");
        for (const id of ids) {
          if (!this.state.subnets.some((s) => s.subnetId === id)) throw new QueryWireError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`, 400);
        }
        const subnets = this.state.subnets.filter((s) => (ids.length === 0 || ids.includes(s.subnetId)) && matches(filters, { "vpc-id": s.vpcId, "subnet-id": s.subnetId }));
        return { subnetSet: subnets.map((s) => this.subnetXml(s)) };
      }
      case "DescribeRouteTables": {
        const tables = this.state.routeTables.filter((t) =>
          matches(filters, {
            "vpc-id": t.vpcId,
            "route-table-id": t.routeTableId,
            "association.subnet-id": t.subnetIds ?? [],
            "association.main": t.main ? "true" : [],
          }),
        );
        return { routeTableSet: tables.map(routeTableXml) };
      }
      case "DescribeVpcEndpoints": {
        const ids = ec2List(p, "VpcEndpointId");
        const endpoints = this.state.vpcEndpoints.filter(
          (e) =>
            (ids.length === 0 || ids.includes(e.vpcEndpointId)) &&
            matches(filters, { "vpc-id": e.vpcId, "service-name": e.serviceName, "vpc-endpoint-type": e.type, "vpc-endpoint-state": stateOf(e) }),
        );
        return { vpcEndpointSet: endpoints.map(endpointXml) };
      }
      case "DescribeSecurityGroups": {
        const ids = ec2List(p, "GroupId");
        for (const id of ids) {
          if (!this.state.securityGroups.some((g) => g.groupId === id)) throw new QueryWireError("InvalidGroup.NotFound", `The security group '${id}' does not exist`, 400);
        }
        const groups = this.state.securityGroups.filter(
          (g) => (ids.length === 0 || ids.includes(g.groupId)) && matches(filters, { "vpc-id": g.vpcId, "group-name": g.groupName, "group-id": g.groupId }),
        );
        return { securityGroupInfo: groups.map(securityGroupXml) };
      }
      default:
        throw new QueryWireError("InvalidAction", `The action ${action} is not valid for this web service (the fake EC2 implements DescribeSubnets, DescribeRouteTables, DescribeVpcEndpoints, DescribeSecurityGroups).`, 400);
    }
  }

  private subnetXml(s: FakeSubnet): Record<string, XmlValue> {
    return {
      subnetId: s.subnetId,
      vpcId: s.vpcId,
      state: "available",
      availabilityZone: s.availabilityZone ?? `${this.region}a`,
      cidrBlock: s.cidrBlock ?? "10.0.0.0/24",
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch ?? false,
    };
  }
}

/** Every filter must match one of its values; unknown filters match nothing, as EC2 rejects them. */
function matches(filters: Map<string, string[]>, fields: Record<string, string | string[]>): boolean {
  for (const [name, wanted] of filters) {
    const actual = fields[name];
    if (actual === undefined) throw new QueryWireError("InvalidParameterValue", `The filter '${name}' is invalid`, 400);
    const values = Array.isArray(actual) ? actual : [actual];
    if (!wanted.some((w) => values.includes(w))) return false;
  }
  return true;
}

const stateOf = (e: FakeVpcEndpoint) => e.state ?? "available";

function routeTableXml(t: FakeRouteTable): Record<string, XmlValue> {
  const associations: XmlValue[] = (t.subnetIds ?? []).map((subnetId, i) => ({
    routeTableAssociationId: `rtbassoc-${t.routeTableId.slice(4)}${i}`,
    routeTableId: t.routeTableId,
    subnetId,
    main: false,
  }));
  if (t.main) associations.push({ routeTableAssociationId: `rtbassoc-${t.routeTableId.slice(4)}m`, routeTableId: t.routeTableId, main: true });
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    associationSet: associations,
    routeSet: t.routes.map((r) => ({ ...r, state: r.state ?? "active", origin: "CreateRoute" })),
  };
}

function endpointXml(e: FakeVpcEndpoint): Record<string, XmlValue> {
  return {
    vpcEndpointId: e.vpcEndpointId,
    vpcEndpointType: e.type,
    vpcId: e.vpcId,
    serviceName: e.serviceName,
    state: stateOf(e),
    routeTableIdSet: e.routeTableIds ?? [],
    subnetIdSet: e.subnetIds ?? [],
    privateDnsEnabled: e.privateDnsEnabled ?? e.type === "Interface",
  };
}

function securityGroupXml(g: FakeSecurityGroup): Record<string, XmlValue> {
  return {
    groupId: g.groupId,
    groupName: g.groupName,
    vpcId: g.vpcId,
    groupDescription: g.groupName,
    ipPermissionsEgress: g.egress.map((r) => ({
      ipProtocol: r.ipProtocol,
      fromPort: r.fromPort,
      toPort: r.toPort,
      ipRanges: (r.cidrIp ?? []).map((cidrIp) => ({ cidrIp })),
      ipv6Ranges: (r.cidrIpv6 ?? []).map((cidrIpv6) => ({ cidrIpv6 })),
      prefixListIds: (r.prefixListIds ?? []).map((prefixListId) => ({ prefixListId })),
    })),
    ipPermissions: [],
  };
}
