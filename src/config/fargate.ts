/**
 * Fargate task sizes AWS accepts (cpu units -> memory MiB). Checked at config time so a bad size is a
 * 400 naming the field instead of a RegisterTaskDefinition failure minutes later.
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024) },
  { cpu: 1024, memory: range(2048, 8192, 1024) },
  { cpu: 2048, memory: range(4096, 16384, 1024) },
  { cpu: 4096, memory: range(8192, 30720, 1024) },
  { cpu: 8192, memory: range(16384, 61440, 4096) },
  { cpu: 16384, memory: range(32768, 122880, 8192) },
];

export const DEFAULT_FARGATE_CPU = 512;
export const DEFAULT_FARGATE_MEMORY = 1024;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export const FARGATE_CPU_VALUES = FARGATE_SIZES.map((s) => s.cpu);

export function fargateMemoryFor(cpu: number): number[] | undefined {
  return FARGATE_SIZES.find((s) => s.cpu === cpu)?.memory;
}

export type FargateSizeResult =
  | { ok: true; cpu: number; memory: number }
  | { ok: false; field: "cpu" | "memory"; message: string };

/**
 * Resolves the task size: both given must be a valid pair; one given picks the smallest valid partner;
 * none gives the defaults.
 */
export function resolveFargateSize(cpu?: number, memory?: number): FargateSizeResult {
  if (cpu === undefined && memory === undefined) {
    return { ok: true, cpu: DEFAULT_FARGATE_CPU, memory: DEFAULT_FARGATE_MEMORY };
  }
  if (cpu !== undefined) {
    const allowed = fargateMemoryFor(cpu);
    if (!allowed) {
      return { ok: false, field: "cpu", message: `Fargate cpu must be one of ${FARGATE_CPU_VALUES.join(", ")} (got ${cpu})` };
    }
    if (memory === undefined) {
      const fallback = allowed.includes(DEFAULT_FARGATE_MEMORY) ? DEFAULT_FARGATE_MEMORY : allowed[0]!;
      return { ok: true, cpu, memory: fallback };
    }
    if (!allowed.includes(memory)) {
      return {
        ok: false,
        field: "memory",
        message: `with cpu ${cpu}, Fargate memory must be one of ${allowed.join(", ")} MiB (got ${memory})`,
      };
    }
    return { ok: true, cpu, memory };
  }
  const size = FARGATE_SIZES.find((s) => s.memory.includes(memory!));
  if (!size) {
    return { ok: false, field: "memory", message: `no Fargate cpu size supports memory ${memory} MiB` };
  }
  return { ok: true, cpu: size.cpu, memory: memory! };
}
