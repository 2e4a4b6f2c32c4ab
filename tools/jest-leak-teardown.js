// Global teardown of the integration tier: if a test file leaked handles (counted by tools/jest-leak-environment.js,
// which has already failed that file and named them), the process is ended shortly after the run instead of waiting
// for them, with exit code 1. Without a leak nothing happens and jest exits on its own.
module.exports = async function leakTeardown() {
  const leaked = globalThis.__divitLeakedHandles ?? 0;
  if (leaked === 0) return;
  const timer = setTimeout(() => {
    const fail = process.env.JEST_LEAKS_FAIL === '1';
    process.stderr.write(
      `jest: ${leaked} leaked handle(s) (named above); ${fail ? 'exiting with 1' : 'ending the process (JEST_LEAKS_FAIL=1 would fail it)'}\n`,
    );
    // Not failing: the exit code jest would have given (failed tests still fail the run).
    process.exit(fail ? 1 : (process.exitCode ?? 0));
  }, 2000);
  timer.unref(); // fires only if something still keeps the process alive
};
