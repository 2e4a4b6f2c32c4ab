// Global teardown of the integration tier: if a test file leaked handles (counted by tools/jest-leak-environment.js,
// which has already failed that file and named them), the process is ended shortly after the run instead of waiting
// for them, with exit code 1. Without a leak nothing happens and jest exits on its own.
module.exports = async function leakTeardown() {
  const leaked = globalThis.__divitLeakedHandles ?? 0;
  if (leaked === 0) return;
  const timer = setTimeout(() => {
    process.stderr.write(`jest: ${leaked} leaked handle(s) (named above); exiting with 1\n`);
    process.exit(1);
  }, 2000);
  timer.unref(); // fires only if something still keeps the process alive
};
