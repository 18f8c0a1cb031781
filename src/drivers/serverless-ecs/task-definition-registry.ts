import { RegisterTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { TransientError } from "../../errors/porch-error.js";
import { retryWithinBudget, type BackoffPolicy } from "./backoff.js";
import { cleanUpRevisions } from "./cleanup.js";
import { classifyEcsException, type EcsCallContext } from "./ecs-errors.js";
import type { DriverLogger } from "./logger.js";
import type { RenderedTaskDefinition } from "./task-definition.js";

export interface TaskDefinitionRegistryOptions {
  keepRevisions: number;
  backoff: BackoffPolicy;
  logger: DriverLogger;
}

interface KnownRevision {
  hash: string;
  arn: string;
}

/**
 * Finds the revision to run for a rendered task definition, registering one only when the rendering
 * changed.
 *
 * Why an in-memory hash -> ARN map: the documented orchestrator policy has neither
 * ecs:DescribeTaskDefinition nor ecs:ListTagsForResource, and ListTaskDefinitions returns bare ARNs,
 * so nothing porch may call can read back what an existing revision contains (its
 * `porch:definition-hash` tag is for humans and audits). After a restart the first deployment of each
 * runner therefore registers once more; that costs one call and one revision, which clean-up retires.
 * Handles of resumed jobs carry their revision and hash and re-seed the map (see `remember`).
 */
export class TaskDefinitionRegistry {
  private readonly known = new Map<string, KnownRevision>();
  private readonly registering = new Map<string, Promise<string>>();
  private readonly cleaning = new Set<string>();
  private readonly cleanups = new Set<Promise<void>>();

  constructor(private readonly opts: TaskDefinitionRegistryOptions) {}

  async ensure(client: ECSClient, rendered: RenderedTaskDefinition, ctx: EcsCallContext): Promise<string> {
    const known = this.known.get(rendered.family);
    if (known?.hash === rendered.hash) return known.arn;
    const key = `${rendered.family}\u0000${rendered.hash}`;
    let pending = this.registering.get(key);
    if (!pending) {
      pending = this.register(client, rendered, ctx).finally(() => this.registering.delete(key));
      this.registering.set(key, pending);
    }
    return pending;
  }

  remember(family: string, hash: string, arn: string): void {
    if (!this.known.has(family)) this.known.set(family, { hash, arn });
  }

  /** The revision was deregistered elsewhere (clean-up by another replica, a user): register anew next time. */
  forget(family: string, arn: string): void {
    if (this.known.get(family)?.arn === arn) this.known.delete(family);
  }

  /** Resolves once clean-ups started so far have ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.cleanups.size > 0) await Promise.allSettled([...this.cleanups]);
  }

  private async register(client: ECSClient, rendered: RenderedTaskDefinition, ctx: EcsCallContext): Promise<string> {
    const callCtx = { ...ctx, operation: "ecs:RegisterTaskDefinition" };
    const arn = await retryWithinBudget(
      "ecs:RegisterTaskDefinition",
      async () => {
        try {
          const out = await client.send(new RegisterTaskDefinitionCommand(rendered.input));
          const registered = out.taskDefinition?.taskDefinitionArn;
          if (!registered) throw new TransientError("ecs:RegisterTaskDefinition returned no task definition ARN", "ecs_register_empty");
          return registered;
        } catch (err) {
          throw classifyEcsException(err, callCtx);
        }
      },
      this.opts.backoff,
    );
    this.known.set(rendered.family, { hash: rendered.hash, arn });
    this.opts.logger.info?.({ family: rendered.family, arn, hash: rendered.hash }, "registered ECS task definition revision");
    this.cleanUpInBackground(client, rendered.family);
    return arn;
  }

  /** Off the hot path: the deployment that caused the registration does not wait for clean-up. */
  private cleanUpInBackground(client: ECSClient, family: string): void {
    if (this.cleaning.has(family)) return;
    this.cleaning.add(family);
    const run = cleanUpRevisions(client, family, this.opts.keepRevisions)
      .then((result) => {
        if (result.deregistered.length || result.deleted.length) this.opts.logger.info?.({ family, ...result }, "cleaned up old ECS task definition revisions");
      })
      .catch((err: unknown) => {
        this.opts.logger.warn?.({ family, err }, "clean-up of old ECS task definition revisions failed; it is retried after the next registration");
      })
      .finally(() => {
        this.cleaning.delete(family);
        this.cleanups.delete(run);
      });
    this.cleanups.add(run);
  }
}
