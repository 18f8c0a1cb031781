import type { Queryable } from "../store/db.js";
import type { LogLine } from "./protocol.js";

export interface StoredLogLine {
  seq: number;
  ts: string;
  stream: string;
  text: string;
}

/** Idempotent per sequence number: a retried batch stores nothing twice. */
export async function appendLogLines(q: Queryable, deploymentId: string, lines: LogLine[]): Promise<number> {
  const params: unknown[] = [deploymentId];
  const values: string[] = [];
  for (const line of lines) {
    const i = params.length;
    params.push(line.seq, line.ts, line.stream, line.text);
    values.push(`($1, $${i + 1}, $${i + 2}::timestamptz, $${i + 3}, $${i + 4})`);
  }
  await q.query(`INSERT INTO deployment_logs (deployment_id, seq, ts, stream, line) VALUES ${values.join(", ")} ON CONFLICT DO NOTHING`, params);
  // Every line of the batch is stored now, inserted by this call or by an earlier try of it.
  return Math.max(...lines.map((l) => l.seq));
}

export async function readLogLines(q: Queryable, deploymentId: string, afterSeq: number, limit: number): Promise<StoredLogLine[]> {
  const res = await q.query<{ seq: number; ts: Date; stream: string; line: string }>(
    "SELECT seq, ts, stream, line FROM deployment_logs WHERE deployment_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    [deploymentId, afterSeq, limit],
  );
  return res.rows.map((r) => ({ seq: Number(r.seq), ts: new Date(r.ts).toISOString(), stream: r.stream, text: r.line }));
}
