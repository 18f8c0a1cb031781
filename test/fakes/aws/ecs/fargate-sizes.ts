/** Valid Fargate task sizes: cpu units -> allowed memory (MiB), from the ECS documentation. */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: steps(1024, 4096, 1024) },
  { cpu: 1024, memory: steps(2048, 8192, 1024) },
  { cpu: 2048, memory: steps(4096, 16384, 1024) },
  { cpu: 4096, memory: steps(8192, 30720, 1024) },
  { cpu: 8192, memory: steps(16384, 61440, 4096) },
  { cpu: 16384, memory: steps(32768, 122880, 8192) },
];

export function isValidFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.some((size) => size.cpu === cpu && size.memory.includes(memory));
}

/** `"1024"` or `"1 vCPU"` -> 1024 units; undefined when unreadable. */
export function cpuUnits(value: string): number | undefined {
  const vcpu = /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(value);
  if (vcpu) return Math.round(Number(vcpu[1]) * 1024);
  return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** `"2048"` or `"2 GB"` -> 2048 MiB; undefined when unreadable. */
export function memoryMiB(value: string): number | undefined {
  const gb = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i.exec(value);
  if (gb) return Math.round(Number(gb[1]) * 1024);
  return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
