import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeProcessLauncher, type FakeAws, type FakeAwsOptions, type FakeProcess, type FakeProcessExit, type NodeFakeProcess } from "../fakes/aws/index.js";
import {
  ACCOUNT,
  CLUSTER,
  EXECUTION_ROLE,
  ISSUER,
  ORCHESTRATOR_ROLE,
  REGION,
  SUBJECT,
  assumeRole,
  awsError,
  awsvpc,
  createTestIssuer,
  ecsClient,
  fargateTaskDefinition,
  startDefaultFake,
  type TestIssuer,
} from "./support.js";

const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), "scripts");
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/api-key-XyZ9Qw`;
const PARAMETER_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/runner/endpoint`;
const ALL_STATUSES = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];

/** An in-process container: records the signals it gets and exits when the test says so. */
class ControlledProcess implements FakeProcess {
  readonly signals: string[] = [];
  readonly exited: Promise<FakeProcessExit>;
  exit!: (exit: FakeProcessExit) => void;

  constructor(private readonly onSignal: (signal: string, self: ControlledProcess) => void = () => {}) {
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }

  stop(signal: "SIGTERM" | "SIGKILL"): void {
    this.signals.push(signal);
    this.onSignal(signal, this);
  }
}

describe("fake ECS task lifecycle", () => {
  let issuer: TestIssuer;
  let fake: FakeAws;
  let ecs: ECSClient;
  let workDir: string;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    workDir = await mkdtemp(path.join(tmpdir(), "porch-fake-ecs-"));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));
  afterEach(() => fake.stop());

  async function start(options: Omit<Partial<FakeAwsOptions>, "ecs"> & { ecs?: Partial<NonNullable<FakeAwsOptions["ecs"]>> }, taskDefinition = fargateTaskDefinition()): Promise<string> {
    fake = await startDefaultFake(issuer, {
      sts: {
        issuer: ISSUER,
        jwks: () => issuer.jwks(),
        roles: [{ roleArn: ORCHESTRATOR_ROLE, subject: SUBJECT, policy: { Statement: [{ Effect: "Allow", Action: ["ecs:*", "iam:PassRole"], Resource: "*" }] } }],
      },
      ...options,
      ecs: { clusters: [{ name: CLUSTER }], ...options.ecs },
    });
    ecs = ecsClient(fake, await assumeRole(fake, issuer));
    return (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition))).taskDefinition!.taskDefinitionArn!;
  }

  async function runTask(taskDefinition: string, overrides?: RunTaskCommand["input"]["overrides"]): Promise<string> {
    const answer = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition, networkConfiguration: awsvpc, launchType: "FARGATE", overrides }));
    return answer.tasks![0]!.taskArn!;
  }

  it("walks PROVISIONING to STOPPED and reports the container's exit code", async () => {
    const td = await start({ ecs: { launcher: nodeProcessLauncher(path.join(scripts, "exit-with.mjs"), { EXIT_CODE: "3" }) } });
    const taskArn = await runTask(td);

    const stopped = await fake.ecs.waitForStatus(taskArn, "STOPPED");
    expect(stopped.statusHistory).toEqual(ALL_STATUSES);
    expect(stopped).toMatchObject({ stopCode: "EssentialContainerExited", exitCode: 3, desiredStatus: "STOPPED" });

    const described = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!;
    expect(described).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    expect(described.containers?.[0]?.exitCode).toBe(3);
    expect(described.stoppedAt).toBeInstanceOf(Date);
  });

  it("starts the container with the task definition env, the overrides and the resolved secrets", async () => {
    const dump = path.join(workDir, "env.json");
    const td = await start(
      {
        secrets: { [SECRET_ARN]: "s3cr3t", [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/json-AbCdEf`]: JSON.stringify({ token: "from-json" }) },
        parameters: { [PARAMETER_ARN]: "https://api.example.test" },
        executionRolePolicies: {
          [EXECUTION_ROLE]: {
            Statement: [
              { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/*` },
              { Effect: "Allow", Action: "ssm:GetParameters", Resource: PARAMETER_ARN },
            ],
          },
        },
        ecs: { launcher: nodeProcessLauncher(path.join(scripts, "exit-with.mjs"), { ENV_DUMP_PATH: dump }) },
      },
      fargateTaskDefinition({
        containerDefinitions: [
          {
            name: "runner",
            image: "ghcr.io/porch/runner:1",
            environment: [
              { name: "FROM_TASK_DEFINITION", value: "td" },
              { name: "OVERRIDDEN", value: "td" },
            ],
            secrets: [
              { name: "API_KEY", valueFrom: SECRET_ARN },
              { name: "API_ENDPOINT", valueFrom: PARAMETER_ARN },
              { name: "JSON_TOKEN", valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:runner/json-AbCdEf:token::` },
            ],
          },
        ],
      }),
    );
    const taskArn = await runTask(td, { containerOverrides: [{ name: "runner", environment: [{ name: "OVERRIDDEN", value: "override" }, { name: "PORCH_JOB", value: "j-1" }] }] });
    await fake.ecs.waitForStatus(taskArn, "STOPPED");

    const env = JSON.parse(await readFile(dump, "utf8")) as Record<string, string>;
    expect(env).toMatchObject({
      FROM_TASK_DEFINITION: "td",
      OVERRIDDEN: "override",
      PORCH_JOB: "j-1",
      API_KEY: "s3cr3t",
      API_ENDPOINT: "https://api.example.test",
      JSON_TOKEN: "from-json",
      AWS_REGION: REGION,
    });
    expect(env.PATH).toBeDefined();
    expect(fake.ecs.tasks()[0]?.exitCode).toBe(0);
  });

  it("fails the start with ResourceInitializationError when the execution role may not read a secret", async () => {
    let launched = false;
    const td = await start(
      {
        parameters: { [PARAMETER_ARN]: "https://api.example.test" },
        // The singular ssm:GetParameter is not what the ECS agent calls (it calls ssm:GetParameters).
        executionRolePolicies: { [EXECUTION_ROLE]: { Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: PARAMETER_ARN }] } },
        ecs: { launcher: () => ((launched = true), new ControlledProcess()) },
      },
      fargateTaskDefinition({ containerDefinitions: [{ name: "runner", image: "ghcr.io/porch/runner:1", secrets: [{ name: "API_ENDPOINT", valueFrom: PARAMETER_ARN }] }] }),
    );
    const taskArn = await runTask(td);

    const stopped = await fake.ecs.waitForStatus(taskArn, "STOPPED");
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth: .*ssm:GetParameters on resource: arn:aws:ssm:/);
    expect(stopped.exitCode).toBeNull();
    expect(stopped.statusHistory).not.toContain("RUNNING");
    expect(launched).toBe(false);
  });

  it("fails the start with CannotPullContainerError for an unknown image, and as told by failNextStartWith", async () => {
    const td = await start({ ecs: { knownImages: (image) => image !== "ghcr.io/porch/runner:missing" } });
    const missingImage = (await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition({ containerDefinitions: [{ name: "runner", image: "ghcr.io/porch/runner:missing" }] }))))
      .taskDefinition!.taskDefinitionArn!;

    const pullFailure = await fake.ecs.waitForStatus(await runTask(missingImage), "STOPPED");
    expect(pullFailure).toMatchObject({ stopCode: "TaskFailedToStart", exitCode: null });
    expect(pullFailure.stoppedReason).toMatch(/^CannotPullContainerError: .*ghcr\.io\/porch\/runner:missing/);
    expect(pullFailure.containerReason).toMatch(/^CannotPullContainerError/);

    fake.ecs.failNextStartWith({ stopCode: "TaskFailedToStart", stoppedReason: "Timeout waiting for network interface provisioning to complete." });
    const networkFailure = await fake.ecs.waitForStatus(await runTask(td), "STOPPED");
    expect(networkFailure).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: "Timeout waiting for network interface provisioning to complete." });
    const healthy = await fake.ecs.waitForStatus(await runTask(td), "RUNNING");
    expect(healthy.lastStatus).toBe("RUNNING");
  });

  it("StopTask sends SIGTERM and keeps the container's own exit code and the given reason", async () => {
    const processes: NodeFakeProcess[] = [];
    const launch = nodeProcessLauncher(path.join(scripts, "await-sigterm.mjs"), { TERM_EXIT_CODE: "0" });
    const td = await start({ ecs: { launcher: (task) => processes[processes.push(launch(task)) - 1]! } });
    const taskArn = await runTask(td);
    await fake.ecs.waitForStatus(taskArn, "RUNNING");
    await until(() => processes[0]?.output().includes("ready") ?? false);

    const tooLong = await awsError(ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: "r".repeat(256) })));
    expect(tooLong.name).toBe("InvalidParameterException");
    const answer = await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: "Cancelled by porch (deployment d-1)" }));
    expect(answer.task?.desiredStatus).toBe("STOPPED");

    const stopped = await fake.ecs.waitForStatus(taskArn, "STOPPED");
    expect(stopped).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "Cancelled by porch (deployment d-1)", exitCode: 0 });
  });

  it("sends SIGKILL after the stop timeout when the container ignores SIGTERM", async () => {
    const processes: NodeFakeProcess[] = [];
    const launch = nodeProcessLauncher(path.join(scripts, "await-sigterm.mjs"), { IGNORE_SIGTERM: "1" });
    const td = await start({ ecs: { launcher: (task) => processes[processes.push(launch(task)) - 1]!, timings: { provisioningMs: 1, pendingMs: 1, stoppingMs: 2, stopTimeoutMs: 100 } } });
    const taskArn = await runTask(td);
    await fake.ecs.waitForStatus(taskArn, "RUNNING");
    await until(() => processes[0]?.output().includes("ready") ?? false);

    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
    const stopped = await fake.ecs.waitForStatus(taskArn, "STOPPED");
    expect(stopped.exitCode).toBe(137);
  });

  it("reports OutOfMemoryError with exit code 137, and AWS-initiated stops through stopTaskWith", async () => {
    const processes: ControlledProcess[] = [];
    const td = await start({
      ecs: {
        launcher: () => {
          const process = new ControlledProcess((signal, self) => signal === "SIGTERM" && self.exit({ exitCode: 0 }));
          processes.push(process);
          return process;
        },
      },
    });

    const oomTask = await runTask(td);
    await fake.ecs.waitForStatus(oomTask, "RUNNING");
    processes[0]!.exit({ exitCode: 1, oom: true });
    const oom = await fake.ecs.waitForStatus(oomTask, "STOPPED");
    expect(oom).toMatchObject({ stopCode: "EssentialContainerExited", exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" });

    const spotTask = await runTask(td);
    await fake.ecs.waitForStatus(spotTask, "RUNNING");
    fake.ecs.stopTaskWith(spotTask, { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." });
    const spot = await fake.ecs.waitForStatus(spotTask, "STOPPED");
    expect(processes[1]!.signals).toEqual(["SIGTERM"]);
    expect(spot).toMatchObject({ stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", exitCode: 0 });

    const forcedTask = await runTask(td);
    await fake.ecs.waitForStatus(forcedTask, "RUNNING");
    fake.ecs.stopTaskWith(forcedTask, { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" });
    expect(processes[2]!.signals).toEqual(["SIGKILL"]);
    processes[2]!.exit({ exitCode: 137 });
    const forced = await fake.ecs.waitForStatus(forcedTask, "STOPPED");
    expect(forced).toMatchObject({ exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
