import { ECSClient } from "@aws-sdk/client-ecs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { CallStats, InstrumentableClient } from "./call-stats.js";
import { WebIdentityCredentials, type CredentialsTarget } from "./credentials.js";

export interface EcsClientsOptions {
  credentials: WebIdentityCredentials;
  stats: CallStats;
  /** Endpoint override (fakes); otherwise the SDK's regional ECS endpoint. */
  endpoint?: string;
}

/**
 * One ECS client per (region, runner credentials). The SDK's own retries are off: porch retries
 * with its own budget and jitter, so a throttled RunTask never counts twice against the rate limit
 * without passing the shared token bucket again.
 */
export class EcsClients {
  private readonly clients = new Map<string, ECSClient>();

  constructor(private readonly opts: EcsClientsOptions) {}

  static key(target: CredentialsTarget, region: string): string {
    return `${region}\u0000${WebIdentityCredentials.key(target)}`;
  }

  for(target: CredentialsTarget, region: string): ECSClient {
    const key = EcsClients.key(target, region);
    let client = this.clients.get(key);
    if (!client) {
      client = new ECSClient({
        region,
        ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
        credentials: this.opts.credentials.provider(target),
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({
          connectionTimeout: 5_000,
          requestTimeout: 30_000,
          httpAgent: { keepAlive: true, maxSockets: 64 },
          httpsAgent: { keepAlive: true, maxSockets: 64 },
        }),
      });
      this.opts.stats.instrument(client as unknown as InstrumentableClient);
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
