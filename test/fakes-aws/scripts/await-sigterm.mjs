// Stand-in container for the fake ECS tests: runs until SIGTERM, then exits with TERM_EXIT_CODE,
// or keeps running (until SIGKILL) when IGNORE_SIGTERM=1. Prints "ready" once the handler is installed.
process.on("SIGTERM", () => {
  if (process.env.IGNORE_SIGTERM !== "1") process.exit(Number(process.env.TERM_EXIT_CODE ?? 0));
});
setInterval(() => {}, 60_000);
console.log("ready");
