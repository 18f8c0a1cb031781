/**
 * Counts AWS calls per IAM action (`ecs:RunTask`, `sts:AssumeRoleWithWebIdentity`, ...), one per HTTP
 * attempt that reaches the wire, so the benchmark shows what a deployment costs in API calls.
 */
export class CallStats {
  private readonly counts = new Map<string, number>();

  count(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  instrument(client: InstrumentableClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const service = String(context.clientName ?? "").replace(/Client$/, "").toLowerCase();
        const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
        this.count(`${service}:${operation}`);
        return next(args);
      },
      // Inside the retry loop and after signing: one count per request actually sent.
      { step: "deserialize", priority: "low", name: "porchCallStats" },
    );
  }
}

/** The slice of an AWS SDK v3 client this needs; avoids depending on @smithy/types directly. */
export interface InstrumentableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: "deserialize"; priority: "low"; name: string },
    ): void;
  };
}
