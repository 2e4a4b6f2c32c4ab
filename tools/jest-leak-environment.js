// The integration tier's test environment: the Node environment plus a leak check when a test file ends.
//
// Jest without `forceExit` waits for every handle a test file left open (a Kafka client not disconnected, a pg pool
// not ended, an HTTP server not closed, an interval not cleared), so one leak hangs the run until the CI time limit;
// with `forceExit` the leak is hidden. Instead, when a file's tests are done this environment waits up to
// LEAK_GRACE_MS for what the file opened to close, then, for whatever is still open and keeps the process alive:
// names it (socket with its remote address, server with its port, timer with the first frames of where it was
// created), closes or unrefs it, and fails the test file ("Test suite failed to run"). A client whose sockets are
// closed under it may open new ones (kafkajs reconnects), so the count is also kept for tools/jest-leak-teardown.js,
// which ends the process after the whole run when a file leaked: the run fails instead of hanging.
// The integration tier runs in band (maxWorkers 1), so this environment and the global teardown share the process.
// See docs/testing.md, "Leaked handles".
const net = require('node:net');
const { TestEnvironment } = require('jest-environment-node');

const LEAK_GRACE_MS = Number(process.env.JEST_LEAK_GRACE_MS ?? 3000);
const FRAMES = 6;
const ORIGIN = Symbol('divit.leak-origin');

/** `{stack}` of the caller, `frames` deep, without the frames of `above`. */
function origin(above, frames) {
  const holder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames + 1;
  Error.captureStackTrace(holder, above);
  Error.stackTraceLimit = limit;
  return (holder.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().replace(/^at /, ''))
    .filter((l) => !l.startsWith('node:'))
    .join(' < ');
}

class LeakCheckingEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    /** Timers the test file created (through the sandbox's setTimeout/setInterval), with where they came from. */
    this.timers = new Map();
    for (const name of ['setTimeout', 'setInterval']) {
      const original = this.global[name];
      const timers = this.timers;
      const sandbox = this.global;
      const wrapped = function (...args) {
        const timer = original.apply(this, args);
        timers.set(timer, { kind: name, where: `${origin(wrapped, FRAMES)}${during(sandbox)}` });
        return timer;
      };
      // util.promisify(setTimeout) and friends keep working.
      for (const key of Reflect.ownKeys(original))
        if (!(key in wrapped))
          Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key));
      this.global[name] = wrapped;
    }
  }

  async setup() {
    await super.setup();
    this.baseline = new Set(process._getActiveHandles());
    // Where each socket the file opens was connected from (kafkajs, pg and fetch connect through net.Socket).
    const connect = net.Socket.prototype.connect;
    this.restoreConnect = () => {
      net.Socket.prototype.connect = connect;
    };
    const sandbox = this.global;
    net.Socket.prototype.connect = function connectWithOrigin(...args) {
      if (this[ORIGIN] === undefined) this[ORIGIN] = `${origin(connectWithOrigin, 20)}${during(sandbox)}`;
      return connect.apply(this, args);
    };
  }

  async teardown() {
    this.restoreConnect?.();
    let leaks = this.leaks();
    const deadline = Date.now() + LEAK_GRACE_MS;
    while (leaks.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 50);
        t.unref();
      });
      leaks = this.leaks();
    }
    for (const leak of leaks) leak.close();
    this.timers.clear();
    globalThis.__divitLeakedHandles = (globalThis.__divitLeakedHandles ?? 0) + leaks.length;
    await super.teardown();
    if (leaks.length > 0) {
      const lines = leaks.map((leak) => `  - ${leak.description}`);
      throw new Error(
        `${leaks.length} handle(s) still open ${LEAK_GRACE_MS} ms after the tests of this file ended ` +
          `(closed now; the run ends once all files ran; close them in afterAll):\n${lines.join('\n')}`,
      );
    }
  }

  /** Handles and timers opened during this file that still keep the process alive. */
  leaks() {
    const found = [];
    for (const handle of process._getActiveHandles()) {
      if (this.baseline.has(handle)) continue;
      found.push({ description: describeHandle(handle), close: () => closeHandle(handle) });
    }
    for (const [timer, origin] of this.timers) {
      if (timer._destroyed || (typeof timer.hasRef === 'function' && !timer.hasRef())) {
        this.timers.delete(timer);
        continue;
      }
      found.push({
        description: `${origin.kind} (${timer._repeat ? 'repeating' : `due in ${timer._idleTimeout} ms`}) created at ${origin.where}`,
        close: () => timer.unref(),
      });
    }
    return found;
  }
}

/** ` during "<test>"` (or its hooks) while a test of the file runs, else ''. */
function during(sandbox) {
  try {
    const name = sandbox.expect?.getState?.().currentTestName;
    return name ? ` during "${name}"` : '';
  } catch {
    return '';
  }
}

function describeHandle(handle) {
  const kind = handle?.constructor?.name ?? typeof handle;
  if (kind === 'Socket' || kind === 'TLSSocket') {
    const remote = handle.remoteAddress ? `${handle.remoteAddress}:${handle.remotePort}` : 'not connected';
    const from = handle[ORIGIN] ? ` connected at ${handle[ORIGIN]}` : '';
    return `${kind} to ${remote}${portHint(handle.remotePort)}${from}`;
  }
  if (kind === 'Server') {
    const address = typeof handle.address === 'function' ? handle.address() : null;
    return `Server listening on ${address && typeof address === 'object' ? `${address.address}:${address.port}` : address}`;
  }
  return kind;
}

function portHint(port) {
  const known = { 9092: 'Kafka', 5432: 'PostgreSQL', 8081: 'schema registry' };
  return known[port] ? ` (${known[port]})` : '';
}

function closeHandle(handle) {
  try {
    if (typeof handle.destroy === 'function') handle.destroy();
    else if (typeof handle.close === 'function') handle.close();
  } catch {
    // Closing is best effort; unref below still lets the process exit.
  }
  if (typeof handle.unref === 'function') handle.unref();
}

module.exports = LeakCheckingEnvironment;
