// Stand-in container for the fake ECS tests: writes the environment it was given, then exits with EXIT_CODE.
import { writeFileSync } from "node:fs";

if (process.env.ENV_DUMP_PATH) writeFileSync(process.env.ENV_DUMP_PATH, JSON.stringify(process.env));
process.exitCode = Number(process.env.EXIT_CODE ?? 0);
