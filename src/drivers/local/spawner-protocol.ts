/**
 * Messages between the local driver and its spawner process. Forking the orchestrator itself costs
 * ~50 ms per job once the embedded database is loaded (fork copies the page tables of a large heap)
 * and blocks its event loop; a small helper process forks instead, so starting fifty jobs at once
 * leaves the API and the scheduler responsive.
 */
export type ToSpawner =
  /**
   * Keep `count` runner programs started ahead of time in standby (`PORCH_RUNNER_STANDBY=1`): booted,
   * modules loaded, waiting on stdin for their job's variables. A job then starts in a millisecond
   * instead of a fork plus a Node.js boot.
   */
  | { type: "standby"; count: number; command: string; args: string[]; env: Record<string, string>; niceness: number }
  /** `jobEnv` goes to a standby runner's stdin when one is free; otherwise a new process gets `env`. */
  | { type: "spawn"; id: string; command: string; args: string[]; env: Record<string, string>; jobEnv: Record<string, string>; niceness: number }
  | { type: "kill"; id: string; signal: NodeJS.Signals };

export type FromSpawner =
  /** `startedAt` (epoch ms): when the process was started, or a standby runner was handed the job. */
  | { type: "spawned"; id: string; pid: number; startedAt: number }
  | { type: "spawn-failed"; id: string; message: string }
  | { type: "exit"; id: string; code: number | null; signal: NodeJS.Signals | null; tail: string[] };
