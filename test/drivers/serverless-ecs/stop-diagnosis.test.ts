import { describe, expect, it } from "vitest";
import type { ServerlessEcsConfiguration } from "../../../src/config/runner-configuration.js";
import { RunnerFieldError } from "../../../src/drivers/serverless-ecs/ecs-errors.js";
import { diagnoseStoppedTask, taskFacts, type TaskFacts } from "../../../src/drivers/serverless-ecs/stop-diagnosis.js";

const job: ServerlessEcsConfiguration["job"] = {
  region: "eu-central-1",
  cluster: "c",
  subnets: ["subnet-a", "subnet-b"],
  execution_role_arn: "arn:aws:iam::123456789012:role/exec",
  memory: 2048,
  cpu: 512,
  secrets: { TOKEN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/token-AbCdEf" },
};
const ctx = { runnerId: "r1", job, image: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/runner:1" };
const arn = "arn:aws:ecs:eu-central-1:123456789012:task/c/abc";

function diagnose(facts: Omit<TaskFacts, "taskArn">) {
  return diagnoseStoppedTask({ taskArn: arn, lastStatus: "STOPPED", ...facts }, ctx);
}

function fields(err: unknown): string[] {
  return (err as RunnerFieldError).details.map((d) => d.path);
}

describe("diagnoseStoppedTask", () => {
  it("image missing names job.image", () => {
    const err = diagnose({
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-central-1.amazonaws.com/runner:1: not found",
      exitCode: null,
    });
    expect(err).toBeInstanceOf(RunnerFieldError);
    expect(err.category).toBe("user");
    expect(err.code).toBe("ecs_image_not_found");
    expect(fields(err)).toEqual(["runner_configuration.job.image"]);
    expect(err.message).toContain(ctx.image);
  });

  it("no route to the registry names subnets and public IP", () => {
    const err = diagnose({
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotPullContainerError: ref pull has been retried 1 time(s): dial tcp 52.1.2.3:443: i/o timeout",
    });
    expect(err.code).toBe("ecs_image_registry_unreachable");
    expect(fields(err)).toEqual(["runner_configuration.job.subnets", "runner_configuration.job.is_public_ip_enabled"]);
    expect(err.message).toContain("subnet-a, subnet-b");
  });

  it("ECR access denied names the execution role", () => {
    const err = diagnose({ stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: AccessDeniedException: not authorized to perform: ecr:BatchGetImage" });
    expect(fields(err)).toEqual(["runner_configuration.job.execution_role_arn"]);
    expect(err.message).toContain("arn:aws:iam::123456789012:role/exec");
  });

  it("an unexplained pull failure names all three candidates", () => {
    expect(fields(diagnose({ stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: something odd" }))).toEqual([
      "runner_configuration.job.image",
      "runner_configuration.job.subnets",
      "runner_configuration.job.execution_role_arn",
    ]);
  });

  it("secrets the execution role may not read name execution role and secrets", () => {
    const err = diagnose({
      stopCode: "TaskFailedToStart",
      stoppedReason:
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/x is not authorized to perform: secretsmanager:GetSecretValue",
    });
    expect(err.code).toBe("ecs_secrets_access_denied");
    expect(fields(err)).toEqual(["runner_configuration.job.execution_role_arn", "runner_configuration.job.secrets"]);
    expect(err.message).toContain("secretsmanager:GetSecretValue");
  });

  it("a secret that does not exist names job.secrets", () => {
    const err = diagnose({
      stopCode: "TaskFailedToStart",
      stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    });
    expect(fields(err)).toEqual(["runner_configuration.job.secrets"]);
  });

  it("no route to Secrets Manager names the subnets", () => {
    const err = diagnose({
      stopCode: "TaskFailedToStart",
      stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: ... dial tcp 10.0.0.1:443: i/o timeout",
    });
    expect(err.code).toBe("ecs_secrets_unreachable");
    expect(fields(err)[0]).toBe("runner_configuration.job.subnets");
  });

  it("a generic resource initialization error names secrets, execution role and subnets", () => {
    const err = diagnose({ stopCode: "TaskFailedToStart", stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth" });
    expect(fields(err)).toEqual(["runner_configuration.job.secrets", "runner_configuration.job.execution_role_arn", "runner_configuration.job.subnets"]);
  });

  it("network interface provisioning timeout is transient", () => {
    const err = diagnose({ stopCode: "TaskFailedToStart", stoppedReason: "Timeout waiting for network interface provisioning to complete." });
    expect(err.category).toBe("transient");
    expect(err.code).toBe("ecs_eni_timeout");
  });

  it("out of memory says to raise job.memory", () => {
    const err = diagnose({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" });
    expect(err.code).toBe("ecs_out_of_memory");
    expect(fields(err)).toEqual(["runner_configuration.job.memory"]);
    expect(err.message).toContain("2048 MiB");
  });

  it("spot interruption is transient and suggests FARGATE capacity", () => {
    const err = diagnose({ stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", exitCode: 143 });
    expect(err.category).toBe("transient");
    expect(err.message).toContain("capacity_provider FARGATE");
  });

  it("a user-initiated stop is reported as stopped, not as a crash", () => {
    const err = diagnose({ stopCode: "UserInitiated", stoppedReason: "cancelled in console", exitCode: 143 });
    expect(err.code).toBe("ecs_task_stopped_by_user");
    expect(err.category).toBe("user");
    expect(err.message).toContain("cancelled in console");
  });

  it("a non-zero exit shows the code and reason and where the logs are", () => {
    const err = diagnose({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 3, containerReason: "boom" });
    expect(err.code).toBe("runner_crashed");
    expect(err.message).toContain("exit code 3: boom");
    expect(err.message).toContain("runner_configuration.job.log_group");
  });

  it("exit 0 without a result is an internal problem", () => {
    expect(diagnose({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 0 }).code).toBe("runner_exited_without_result");
  });

  it("taskFacts reads the runner container", () => {
    expect(
      taskFacts({
        taskArn: arn,
        lastStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        containers: [{ name: "sidecar", exitCode: 0 }, { name: "runner", exitCode: 2, reason: "x" }],
      }),
    ).toMatchObject({ taskArn: arn, exitCode: 2, containerReason: "x", stopCode: "EssentialContainerExited" });
  });
});
