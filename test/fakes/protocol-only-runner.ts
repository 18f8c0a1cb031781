import { randomUUID } from "node:crypto";
import { JobClient } from "../../src/runner/job-client.js";
import type { FakeProcess, FakeTaskLaunch } from "./aws/index.js";

/**
 * A stand-in for the runner program that only speaks the job protocol (start, one log line, result)
 * from inside the test process, with porch's real JobClient and its retries. It lets a test run
 * hundreds of fake Fargate tasks without starting hundreds of processes; the end-to-end tests run the
 * real runner program.
 */
export function protocolOnlyLauncher(opts: { onStart?: (deploymentId: string) => void } = {}): (task: FakeTaskLaunch) => FakeProcess {
  return (task) => {
    let stopped = false;
    let finish!: (v: { exitCode: number; reason?: string }) => void;
    const exited = new Promise<{ exitCode: number; reason?: string }>((r) => (finish = r));
    const client = new JobClient(task.env.PORCH_API_URL!, task.env.PORCH_DEPLOYMENT_ID!, task.env.PORCH_JOB_TOKEN!, { attempts: 40, baseMs: 50, maxMs: 2000 });
    void (async () => {
      try {
        const spec = await client.start();
        opts.onStart?.(spec.deployment_id);
        await client.logs([{ seq: 1, ts: new Date().toISOString(), stream: "stdout", text: `stand-in runner: ${spec.mode} of ${spec.env_id}` }]);
        await client.result({
          result_id: randomUUID(),
          status: "succeeded",
          outputs: {},
          changes: { add: 0, change: 0, destroy: 0 },
          planned_changes: [],
          no_changes: true,
          diagnostics: [],
          error: null,
        });
        finish({ exitCode: stopped ? 143 : 0 });
      } catch (err) {
        finish({ exitCode: 1, reason: String(err) });
      }
    })();
    return {
      exited,
      stop() {
        stopped = true;
      },
    };
  };
}
