// Issue 13 item 8: a production process refuses simulators at start. Boots the real entry point
// (src/main.ts) as a child process, as a container would, and expects it to exit before it opens a port.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const HASH_SECRET = Buffer.alloc(32, 5).toString('base64');
const TOKEN = 'S'.repeat(40);

function boot(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'services/identity-validation/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          TS_NODE_PROJECT: 'tsconfig.json',
          PORT: '39930',
          BSN_HASH_KEYS: JSON.stringify([{ id: 'k1', secret: HASH_SECRET }]),
          BSN_HASH_ACTIVE_KEY_ID: 'k1',
          AUTH_JWKS: '{"keys":[]}',
          OTEL_SDK_DISABLED: 'true',
          ...env,
        },
      },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not exit; it should have refused to start. stderr: ${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('DIVIT_ENVIRONMENT=production', () => {
  it('the service refuses to boot with simulators, naming the offending keys and no secret value', async () => {
    const result = await boot({
      DIVIT_ENVIRONMENT: 'production',
      AUTH_ISSUER: 'https://idp.example.org',
      DVMG_MODE: 'simulator',
      BVBSN_MODE: 'simulator',
      SIMULATOR_ENDPOINTS_ENABLED: 'true',
      SIMULATOR_TOKEN: TOKEN,
    });
    expect(result.code).toBe(78); // EX_CONFIG
    for (const key of ['DVMG_MODE', 'BVBSN_MODE', 'SIMULATOR_ENDPOINTS_ENABLED', 'SIMULATOR_TOKEN'])
      expect(result.stderr).toContain(key);
    expect(result.stderr).toContain('refused when DIVIT_ENVIRONMENT=production');
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
    expect(result.stderr + result.stdout).not.toContain(HASH_SECRET);
    expect(result.stdout).not.toContain('listening');
  }, 120_000);

  it('the same settings outside production get past the configuration check', async () => {
    // Development accepts the simulators: the only refusal left is the out-of-range PORT this test sets so
    // that the process exits at once. The production refusal above came from DIVIT_ENVIRONMENT alone.
    const result = await boot({
      DIVIT_ENVIRONMENT: 'development',
      PORT: '70000',
      DVMG_MODE: 'simulator',
      BVBSN_MODE: 'simulator',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).not.toContain('DVMG_MODE');
  }, 120_000);
});
