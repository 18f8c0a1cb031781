// Stand-in for the runner program in driver tests: exits with FAKE_EXIT_CODE after FAKE_RUN_MS.
// (The end-to-end test with the real runner program lives elsewhere.)
const code = Number(process.env.FAKE_EXIT_CODE ?? 0);
const runMs = Number(process.env.FAKE_RUN_MS ?? 0);
setTimeout(() => process.exit(code), runMs);
