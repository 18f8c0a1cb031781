/**
 * Messages between the local driver and its spawner process. Forking the orchestrator itself costs
 * ~50 ms per job once the embedded database is loaded (fork copies the page tables of a large heap)
 * and blocks its event loop; a small helper process forks instead, so starting fifty jobs at once
 * leaves the API and the scheduler responsive.
 */
export type ToSpawner =
  | { type: "spawn"; id: string; command: string; args: string[]; env: Record<string, string>; niceness: number }
  | { type: "kill"; id: string; signal: NodeJS.Signals };

export type FromSpawner =
  | { type: "spawned"; id: string; pid: number }
  | { type: "spawn-failed"; id: string; message: string }
  | { type: "exit"; id: string; code: number | null; signal: NodeJS.Signals | null; tail: string[] };
