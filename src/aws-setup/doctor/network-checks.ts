import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcEndpointsCommand, type RouteTable, type SecurityGroup, type Subnet, type VpcEndpoint } from "@aws-sdk/client-ec2";
import { SECRETS_MANAGER_ARN_PATTERN } from "../../config/runner-configuration.js";
import { awsErrorInfo } from "../aws-errors.js";
import { fail, pass, withUserCredentials, type CheckResult } from "./check-result.js";
import { field, type DoctorContext } from "./doctor-context.js";

/** The AWS services a task without internet access needs endpoints for, by why. */
export function requiredEndpointServices(ctx: DoctorContext): Array<{ service: string; why: string; gatewayOk: boolean }> {
  const secrets = Object.values(ctx.config.job.secrets ?? {});
  const services = [
    { service: "ecr.api", why: "image pull (registry API)", gatewayOk: false },
    { service: "ecr.dkr", why: "image pull (registry)", gatewayOk: false },
    { service: "s3", why: "image layers and the state bucket", gatewayOk: true },
    { service: "sts", why: "AWS credentials inside the task", gatewayOk: false },
  ];
  if (ctx.config.job.log_group) services.push({ service: "logs", why: "job.log_group", gatewayOk: false });
  if (secrets.some((a) => SECRETS_MANAGER_ARN_PATTERN.test(a))) services.push({ service: "secretsmanager", why: "job.secrets (Secrets Manager)", gatewayOk: false });
  if (secrets.some((a) => !SECRETS_MANAGER_ARN_PATTERN.test(a))) services.push({ service: "ssm", why: "job.secrets (Parameter Store)", gatewayOk: false });
  return services;
}

export async function checkSubnets(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const subnetId of ctx.config.job.subnets) {
    const id = `subnet:${subnetId}`;
    const title = `subnet ${subnetId} reaches AWS and porch`;
    results.push(...(await withUserCredentials(id, title, "ec2:DescribeSubnets", () => checkSubnet(ctx, subnetId, id, title))));
  }
  return results;
}

async function checkSubnet(ctx: DoctorContext, subnetId: string, id: string, title: string): Promise<CheckResult> {
  const { ec2 } = ctx.clients;
  const region = ctx.config.job.region;
  let subnet: Subnet | undefined;
  try {
    subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0];
  } catch (err) {
    if (!/NotFound|Malformed/i.test(awsErrorInfo(err).name)) throw err;
  }
  if (!subnet?.VpcId) return fail(id, title, `no subnet ${subnetId} in ${region}`, `use subnets of ${region} in ${field("job.subnets")}`);
  const vpcId = subnet.VpcId;
  const table = await routeTableOf(ctx, subnetId, vpcId);
  if (!table) return fail(id, title, `subnet ${subnetId} has no route table`, `associate a route table with ${subnetId}`);
  const route = (table.Routes ?? []).find((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.State !== "blackhole");
  const publicIp = ctx.config.job.is_public_ip_enabled === true;

  if (route?.NatGatewayId) return pass(id, title, `${vpcId}: default route of ${table.RouteTableId} goes to NAT gateway ${route.NatGatewayId}`);
  if (route?.GatewayId?.startsWith("igw-") && publicIp) {
    return pass(id, title, `${vpcId}: default route of ${table.RouteTableId} goes to internet gateway ${route.GatewayId} and tasks get a public IP`);
  }
  const otherTarget = route && (route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.VpcPeeringConnectionId ?? route.InstanceId);
  if (otherTarget) return pass(id, title, `${vpcId}: default route of ${table.RouteTableId} goes to ${otherTarget} (egress beyond it is not verified)`);

  const missing = await missingEndpoints(ctx, vpcId, table.RouteTableId ?? "");
  const igwNote = route?.GatewayId?.startsWith("igw-")
    ? `its default route goes to internet gateway ${route.GatewayId}, but ${field("job.is_public_ip_enabled")} is not true, so tasks get no public IP`
    : `route table ${table.RouteTableId} has no route to the internet (no NAT gateway)`;
  if (missing.length === 0) {
    return pass(id, title, `${vpcId}: ${igwNote}; VPC endpoints cover every AWS service the task needs (the task must still reach porch's API, PORCH_API_URL)`);
  }
  const fixes = [
    route?.GatewayId?.startsWith("igw-") ? `set ${field("job.is_public_ip_enabled")}: true` : `add a route 0.0.0.0/0 -> NAT gateway to ${table.RouteTableId}`,
    `or create VPC endpoints in ${vpcId}: ${missing.map((m) => `com.amazonaws.${region}.${m.service} (${m.gatewayOk ? "Gateway, on " + table.RouteTableId : "Interface, private DNS on"})`).join(", ")}`,
  ];
  return fail(id, title, `${vpcId}: ${igwNote}, and there is no VPC endpoint for ${missing.map((m) => `${m.service} (${m.why})`).join(", ")}`, fixes.join(", "));
}

async function routeTableOf(ctx: DoctorContext, subnetId: string, vpcId: string): Promise<RouteTable | undefined> {
  const explicit = await ctx.clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [subnetId] }] }));
  if (explicit.RouteTables?.[0]) return explicit.RouteTables[0];
  // Subnets without an explicit association use the VPC's main route table.
  const main = await ctx.clients.ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "association.main", Values: ["true"] }] }),
  );
  return main.RouteTables?.[0];
}

async function missingEndpoints(ctx: DoctorContext, vpcId: string, routeTableId: string): Promise<ReturnType<typeof requiredEndpointServices>> {
  const endpoints = (await ctx.clients.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).VpcEndpoints ?? [];
  const region = ctx.config.job.region;
  const usable = (e: VpcEndpoint, gatewayOk: boolean) =>
    e.State?.toLowerCase() === "available" &&
    ((e.VpcEndpointType === "Interface" && e.PrivateDnsEnabled === true) || (gatewayOk && e.VpcEndpointType === "Gateway" && (e.RouteTableIds ?? []).includes(routeTableId)));
  return requiredEndpointServices(ctx).filter(({ service, gatewayOk }) => !endpoints.some((e) => e.ServiceName === `com.amazonaws.${region}.${service}` && usable(e, gatewayOk)));
}

export async function checkSecurityGroups(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "security-groups";
  const configured = ctx.config.job.security_groups ?? [];
  const title = configured.length > 0 ? `security groups ${configured.join(", ")} allow outbound HTTPS` : "the VPC's default security group allows outbound HTTPS";
  return withUserCredentials(id, title, "ec2:DescribeSecurityGroups", async () => {
    const { ec2 } = ctx.clients;
    const subnetId = ctx.config.job.subnets[0]!;
    let vpcId: string | undefined;
    try {
      vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0]?.VpcId;
    } catch (err) {
      if (!/NotFound/i.test(awsErrorInfo(err).name)) throw err;
    }
    let groups: SecurityGroup[];
    try {
      groups =
        configured.length > 0
          ? ((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: configured }))).SecurityGroups ?? [])
          : vpcId
            ? ((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "group-name", Values: ["default"] }] }))).SecurityGroups ?? [])
            : [];
    } catch (err) {
      if (!/InvalidGroup/i.test(awsErrorInfo(err).name)) throw err;
      return fail(id, title, awsErrorInfo(err).message, `use security groups of ${ctx.config.job.region} in ${field("job.security_groups")}`);
    }
    if (groups.length === 0) return fail(id, title, "no security group to check (subnet or default group not found)", `set ${field("job.security_groups")}`);
    const foreign = vpcId ? groups.filter((g) => g.VpcId !== vpcId) : [];
    if (foreign.length > 0) {
      return fail(id, title, `${foreign.map((g) => `${g.GroupId} is in ${g.VpcId}`).join(", ")}, but the subnets are in ${vpcId}`, `use security groups of ${vpcId} in ${field("job.security_groups")}`);
    }
    // ECS puts every group on the task's network interface, and security group rules add up.
    const allowing = groups.filter((g) => (g.IpPermissionsEgress ?? []).some(allowsHttps));
    if (allowing.length === 0) {
      const names = groups.map((g) => g.GroupId).join(", ");
      return fail(id, title, `none of ${names} allows outbound tcp 443`, `add an egress rule for HTTPS (tcp 443) to 0.0.0.0/0 (or to your VPC endpoints) on ${groups[0]!.GroupId}`);
    }
    return pass(id, title, `${allowing.map((g) => g.GroupId).join(", ")} allow${allowing.length === 1 ? "s" : ""} outbound tcp 443`);
  });
}

function allowsHttps(rule: { IpProtocol?: string; FromPort?: number; ToPort?: number; IpRanges?: unknown[]; Ipv6Ranges?: unknown[]; PrefixListIds?: unknown[]; UserIdGroupPairs?: unknown[] }): boolean {
  const hasDestination = [rule.IpRanges, rule.Ipv6Ranges, rule.PrefixListIds, rule.UserIdGroupPairs].some((d) => (d ?? []).length > 0);
  if (!hasDestination) return false;
  if (rule.IpProtocol === "-1") return true;
  if (rule.IpProtocol !== "tcp" && rule.IpProtocol !== "6") return false;
  return (rule.FromPort ?? 0) <= 443 && 443 <= (rule.ToPort ?? 65535);
}
