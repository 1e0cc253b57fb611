import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..');

/**
 * The `@aws-sdk/*` packages that requiring `file` (a repository path) loads, in a fresh Node process
 * through tsx's CommonJS hook — as `cdk synth` (ts-node/tsx) loads infra. A fresh process, because
 * jest's module registry is not Node's `require.cache` and shares nothing with what a real load does.
 */
export function sdkPackagesLoadedBy(file: string): string[] {
  const script = `
    require(${JSON.stringify(join(REPO_ROOT, file))});
    const loaded = Object.keys(require.cache).filter((k) => k.includes('/node_modules/@aws-sdk/'));
    const packages = loaded.map((k) => k.split('/node_modules/').pop().split('/').slice(0, 2).join('/'));
    process.stdout.write(JSON.stringify([...new Set(packages)].sort()));
  `;
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}
