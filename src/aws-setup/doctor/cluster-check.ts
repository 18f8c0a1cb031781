import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { fail, pass, withUserCredentials, type CheckResult } from "./check-result.js";
import { field, type DoctorContext } from "./doctor-context.js";

export async function checkCluster(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = "cluster";
  const { cluster, region } = ctx.config.job;
  const title = `ECS cluster ${cluster} is ACTIVE with Fargate capacity`;
  return withUserCredentials(id, title, "ecs:DescribeClusters", async () => {
    const out = await ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    const found = out.clusters?.[0];
    if (!found) {
      return fail(id, title, `no cluster ${cluster} in ${region} (${out.failures?.[0]?.reason ?? "MISSING"})`, `create it (or let the Terraform module create one), or fix ${field("job.cluster")} / ${field("job.region")}`);
    }
    if (found.status !== "ACTIVE") {
      return fail(id, title, `cluster ${cluster} is ${found.status ?? "in an unknown state"}`, `use an ACTIVE cluster in ${field("job.cluster")}`);
    }
    const wanted = ctx.config.job.capacity_provider_strategy?.map((s) => s.capacity_provider) ?? ["FARGATE"];
    const providers = found.capacityProviders ?? [];
    const missing = wanted.filter((p) => !providers.includes(p));
    if (missing.length > 0) {
      return fail(
        id,
        title,
        `cluster ${cluster} has capacity providers [${providers.join(", ")}], missing ${missing.join(", ")}`,
        `aws ecs put-cluster-capacity-providers --region ${region} --cluster ${cluster} --capacity-providers ${[...new Set([...providers, ...missing, "FARGATE"])].join(" ")} --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1`,
      );
    }
    return pass(id, title, `${found.clusterArn ?? cluster}: ACTIVE, capacity providers ${providers.join(", ")}`);
  });
}
