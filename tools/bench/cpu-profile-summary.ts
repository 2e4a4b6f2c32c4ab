// Where the time of a benchmark process goes: a V8 CPU profile (`node --cpu-prof`) summarised by self time per
// package (node_modules/<package>, libs/<lib>, services/<service>, node internals, GC, idle) and per function.
//   npx ts-node --transpile-only tools/bench/cpu-profile-summary.ts <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: cpu-profile-summary.ts <file.cpuprofile> [--top N]');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** The package a frame belongs to: the part of the platform or the dependency that spends the time. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
  }
  const m = /\/(libs|services|tools)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const pkg = packageOf(n.callFrame.url, n.callFrame.functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const fn = `${n.callFrame.functionName || '(anonymous)'}  ${pkg}${n.callFrame.url && !n.callFrame.url.startsWith('node:') ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const busy = total - (byPackage.get('(idle)') ?? 0);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle`);
console.log('\nself time by package');
for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${pkg}`);
console.log('\nself time by function');
for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${fn}`);
