import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIamEc2, type FakeIamEc2 } from "../fakes/aws-iam-ec2/index.js";

const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] };
let fake: FakeIamEc2;
let iam: IAMClient;
let ec2: EC2Client;
const config = () => ({ region: "eu-central-1", endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDUSER", secretAccessKey: "x" }, maxAttempts: 1 });

beforeAll(async () => {
  fake = await startFakeIamEc2({
    iam: {
      roles: [
        {
          name: "reader",
          trustPolicy: trust,
          inlinePolicies: {
            read: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }, { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Condition: { StringLike: { "s3:prefix": "p/*" } } }] },
            deny: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/secret/*" }] },
          },
        },
        { name: "bounded", trustPolicy: trust, managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"], permissionsBoundary: "arn:aws:iam::123456789012:policy/OnlyEcr" },
      ],
      managedPolicies: { "arn:aws:iam::123456789012:policy/OnlyEcr": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] } },
    },
    ec2: {
      subnets: [{ subnetId: "subnet-1", vpcId: "vpc-1" }],
      routeTables: [{ routeTableId: "rtb-1", vpcId: "vpc-1", subnetIds: ["subnet-1"], routes: [{ destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" }] }],
      vpcEndpoints: [{ vpcEndpointId: "vpce-1", vpcId: "vpc-1", serviceName: "com.amazonaws.eu-central-1.s3", type: "Gateway", routeTableIds: ["rtb-1"] }],
      securityGroups: [{ groupId: "sg-1", groupName: "default", vpcId: "vpc-1", egress: [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIp: ["0.0.0.0/0"] }] }],
    },
    secretMetadata: { secrets: ["arn:aws:secretsmanager:eu-central-1:123456789012:secret:db/password-AbC123"], parameters: ["arn:aws:ssm:eu-central-1:123456789012:parameter/app/url"] },
  });
  iam = new IAMClient(config());
  ec2 = new EC2Client(config());
});
afterAll(async () => {
  iam.destroy();
  ec2.destroy();
  await fake.stop();
});

describe("fake IAM over the Query protocol", () => {
  it("answers with IAM's errors, which the SDK turns into its exception classes", async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: "missing" }))).rejects.toMatchObject({ name: "NoSuchEntityException", $metadata: { httpStatusCode: 404 } });
    await expect(iam.send(new CreateRoleCommand({ RoleName: "reader", AssumeRolePolicyDocument: JSON.stringify(trust) }))).rejects.toMatchObject({ name: "EntityAlreadyExistsException" });
    await expect(iam.send(new CreateRoleCommand({ RoleName: "x".repeat(65), AssumeRolePolicyDocument: JSON.stringify(trust) }))).rejects.toThrow(/64/);
    await expect(iam.send(new PutRolePolicyCommand({ RoleName: "reader", PolicyName: "p", PolicyDocument: JSON.stringify(trust) }))).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
  });

  it("hands policy documents back URL-encoded, as IAM does", async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: "bounded" }))).Role!;
    expect(role.AssumeRolePolicyDocument).toBe(encodeURIComponent(JSON.stringify(trust)));
    expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toBe("arn:aws:iam::123456789012:policy/OnlyEcr");
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "bounded" }))).AttachedPolicies).toEqual([
      { PolicyName: "AmazonECSTaskExecutionRolePolicy", PolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
    ]);
  });

  it("simulates a role's policies: allow, implicit and explicit deny, conditions, managed policies and the boundary", async () => {
    const decide = async (role: string, action: string, resource: string, prefix?: string) =>
      (
        await iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: `arn:aws:iam::123456789012:role/${role}`,
            ActionNames: [action],
            ResourceArns: [resource],
            ContextEntries: prefix === undefined ? undefined : [{ ContextKeyName: "s3:prefix", ContextKeyValues: [prefix], ContextKeyType: "string" }],
          }),
        )
      ).EvaluationResults?.[0]?.EvalDecision;
    expect(await decide("reader", "s3:GetObject", "arn:aws:s3:::b/p/k")).toBe("allowed");
    expect(await decide("reader", "s3:PutObject", "arn:aws:s3:::b/p/k")).toBe("implicitDeny");
    expect(await decide("reader", "s3:GetObject", "arn:aws:s3:::b/secret/k")).toBe("explicitDeny");
    expect(await decide("reader", "s3:ListBucket", "arn:aws:s3:::b", "p/")).toBe("allowed");
    expect(await decide("reader", "s3:ListBucket", "arn:aws:s3:::b", "q/")).toBe("implicitDeny");
    expect(await decide("bounded", "ecr:BatchGetImage", "*")).toBe("allowed");
    // Allowed by the managed policy, but outside the permissions boundary.
    expect(await decide("bounded", "logs:PutLogEvents", "*")).toBe("implicitDeny");
  });

  it("records mutating calls apart from reads", async () => {
    const before = fake.mutatingCalls().length;
    await iam.send(new GetRoleCommand({ RoleName: "reader" }));
    expect(fake.mutatingCalls()).toHaveLength(before);
    await iam.send(new CreateRoleCommand({ RoleName: "new-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    expect(fake.mutatingCalls().slice(before).map((c) => c.action)).toEqual(["CreateRole"]);
  });
});

describe("fake EC2 over its Query dialect", () => {
  it("describes subnets, route tables, endpoints and security groups, with EC2's filters and errors", async () => {
    expect((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-1"] }))).Subnets).toEqual([expect.objectContaining({ SubnetId: "subnet-1", VpcId: "vpc-1", MapPublicIpOnLaunch: false })]);
    await expect(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-9"] }))).rejects.toMatchObject({ name: "InvalidSubnetID.NotFound" });
    const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: ["subnet-1"] }] }))).RouteTables!;
    expect(tables.map((t) => [t.RouteTableId, t.Routes?.[0]?.NatGatewayId, t.Associations?.[0]?.SubnetId])).toEqual([["rtb-1", "nat-1", "subnet-1"]]);
    expect((await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: ["subnet-9"] }] }))).RouteTables).toEqual([]);
    expect((await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: ["vpc-1"] }] }))).VpcEndpoints).toEqual([
      expect.objectContaining({ VpcEndpointType: "Gateway", ServiceName: "com.amazonaws.eu-central-1.s3", RouteTableIds: ["rtb-1"], State: "available" }),
    ]);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-1"] }))).SecurityGroups!;
    expect(groups[0]!.IpPermissionsEgress).toEqual([expect.objectContaining({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] })]);
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-9"] }))).rejects.toMatchObject({ name: "InvalidGroup.NotFound" });
  });
});

describe("fake secret metadata over AWS JSON 1.1", () => {
  it("tells whether a secret or parameter exists without any value", async () => {
    const sm = new SecretsManagerClient(config());
    const ssm = new SSMClient(config());
    expect((await sm.send(new DescribeSecretCommand({ SecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db/password-AbC123" }))).Name).toBe("db/password");
    await expect(sm.send(new DescribeSecretCommand({ SecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:nope-AbC123" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const found = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: ["/app/url"] }] }));
    expect(found.Parameters?.map((p) => p.Name)).toEqual(["/app/url"]);
    expect((await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: ["/app/none"] }] }))).Parameters).toEqual([]);
    sm.destroy();
    ssm.destroy();
  });
});
