/**
 * Fake AWS for tests: one local HTTP endpoint speaking the real wire protocols of ECS, STS, Secrets
 * Manager and SSM, so porch's code runs unchanged with the real AWS SDK v3 clients pointed at it
 * (`endpoint`). It models AWS's documented behaviour (IAM policy evaluation, OIDC web identity, Fargate
 * task lifecycle); it is not AWS and never talks to AWS.
 */
import { fakeSetupError } from "./aws-error.js";
import { CredentialStore } from "./credential-store.js";
import { EcsState } from "./ecs/ecs-state.js";
import { handleEcs } from "./ecs/ecs-service.js";
import { STATUS_ORDER, isDescribable, taskToView } from "./ecs/task.js";
import { listen } from "./http-endpoint.js";
import { validatePolicy } from "./iam-policy.js";
import { handleSecretsManager, handleSsm } from "./secret-services.js";
import { SecretStore } from "./secret-store.js";
import { FakeSts } from "./sts-service.js";
import type { FakeAws, FakeAwsCall, FakeAwsOptions, FakeTaskStatus, FakeTaskView } from "./types.js";

export type * from "./types.js";
export { SEED_DOCUMENTED_ORCHESTRATOR_POLICY } from "./seed-policy.js";
export { nodeProcessLauncher, type NodeFakeProcess } from "./node-process-launcher.js";
export { evaluatePolicy, type PolicyDecision } from "./iam-policy.js";

const DEFAULT_ACCOUNT_ID = "123456789012";
const DEFAULT_REGION = "eu-central-1";
const DEFAULT_WAIT_MS = 10_000;

export async function startFakeAws(opts: FakeAwsOptions): Promise<FakeAws> {
  const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
  const region = opts.region ?? DEFAULT_REGION;
  validateOptions(opts, accountId, region);

  const credentials = new CredentialStore();
  const sts = new FakeSts(opts.sts, accountId, credentials);
  const secrets = new SecretStore(region, accountId, opts.secrets ?? {}, opts.parameters ?? {});
  const ecs = new EcsState(opts.ecs, region, accountId, secrets, opts.executionRolePolicies);
  const calls: FakeAwsCall[] = [];

  const { server, endpoint } = await listen({
    region,
    credentials,
    sts,
    calls,
    json: {
      ecs: (action, input, caller) => handleEcs(ecs, action, input, caller),
      secretsmanager: (action, input, caller) => handleSecretsManager(secrets, action, input, caller),
      ssm: (action, input, caller) => handleSsm(secrets, action, input, caller),
    },
  });

  const view = (taskArn: string): FakeTaskView => {
    const task = ecs.taskByArn(taskArn);
    if (!task) throw fakeSetupError("taskArn", `the fake ECS never started a task '${taskArn}'`);
    return taskToView(task, isDescribable(task, ecs.retentionMs));
  };

  return {
    endpoint,
    accountId,
    region,
    calls,
    ecs: {
      tasks: () => [...ecs.tasks.values()].map((task) => taskToView(task, isDescribable(task, ecs.retentionMs))),
      taskDefinitions: () =>
        ecs.definitions.all().map((record) => ({
          arn: record.arn,
          family: record.family,
          revision: record.revision,
          status: record.status,
          tags: { ...record.tags },
          body: structuredClone(record.body),
        })),
      failNextRunTask(failure, times = 1) {
        for (let i = 0; i < times; i++) ecs.runTaskFailures.push({ ...failure });
      },
      stopTaskWith(taskArn, how) {
        const task = ecs.taskByArn(taskArn);
        if (!task) throw fakeSetupError("stopTaskWith(taskArn)", `the fake ECS never started a task '${taskArn}'`);
        ecs.lifecycle.stop(task, how);
      },
      failNextStartWith(how) {
        ecs.startFailures.push({ stoppedReason: how.stoppedReason, containerReason: how.containerReason });
      },
      setRunTaskRate: (rate) => ecs.runTaskRate.setRate(rate),
      forget(taskArn) {
        const task = ecs.taskByArn(taskArn);
        if (!task) throw fakeSetupError("forget(taskArn)", `the fake ECS never started a task '${taskArn}'`);
        task.forgotten = true;
      },
      waitForStatus: (taskArn, status, timeoutMs = DEFAULT_WAIT_MS) => waitForStatus(ecs, taskArn, status, timeoutMs, view),
    },
    sts: {
      issuedCredentials: () => credentials.all().map((c) => ({ accessKeyId: c.accessKeyId, roleArn: c.role.roleArn, expiration: c.expiration })),
    },
    async stop() {
      await ecs.lifecycle.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function waitForStatus(ecs: EcsState, taskArn: string, status: FakeTaskStatus, timeoutMs: number, view: (arn: string) => FakeTaskView): Promise<FakeTaskView> {
  const reached = () => STATUS_ORDER.indexOf(view(taskArn).lastStatus) >= STATUS_ORDER.indexOf(status);
  if (reached()) return Promise.resolve(view(taskArn));
  return new Promise((resolve, reject) => {
    const unsubscribe = ecs.lifecycle.onChange(() => {
      if (!reached()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(view(taskArn));
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(fakeSetupError("waitForStatus", `task '${taskArn}' did not reach ${status} within ${timeoutMs} ms (it is ${view(taskArn).lastStatus})`));
    }, timeoutMs);
  });
}

function validateOptions(opts: FakeAwsOptions, accountId: string, region: string): void {
  if (!/^\d{12}$/.test(accountId)) throw fakeSetupError("accountId", `'${accountId}' must be 12 digits`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw fakeSetupError("region", `'${region}' is not an AWS region name such as eu-central-1`);
  for (const [roleArn, policy] of Object.entries(opts.executionRolePolicies ?? {})) validatePolicy(policy, `executionRolePolicies['${roleArn}']`);
  opts.ecs?.clusters.forEach((cluster, i) => {
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(cluster.name)) throw fakeSetupError(`ecs.clusters[${i}].name`, `'${cluster.name}' is not a valid ECS cluster name`);
  });
}
