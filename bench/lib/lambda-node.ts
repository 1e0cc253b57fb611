import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const CACHE = join(REPO, 'node_modules', '.cache', 'rootkey-bench-node');

/** The Node.js the benchmark's Lambda processes run on, and why that one. */
export interface LambdaNode {
  /** The `node` executable. */
  path: string;
  /** Its `process.version`, e.g. `v24.22.3`. */
  version: string;
  /** The major the functions are deployed on (infra's esbuild target, e.g. `node24` → 24). */
  deployedMajor: number;
  /** How it was found: this process' own Node, or the Node.js release npm publishes as a package. */
  source: 'this process' | 'npm package';
  /** Set when the deployed major could not be had and this process' Node stands in. */
  fallback?: string;
}

/** The npm package that carries the Node.js binary for this platform (the `node` package's own binaries). */
export function nodeBinaryPackage(major: number, platform = process.platform, arch = process.arch): string {
  return `node-${platform}-${arch}@${major}`;
}

/** The major of an esbuild target such as `node24`; undefined for anything else. */
export function majorOfTarget(target: string): number | undefined {
  const match = /^node(\d+)$/.exec(target);
  return match ? Number(match[1]) : undefined;
}

type Run = (file: string, args: string[], cwd: string) => string;
const run: Run = (file, args, cwd) =>
  execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

/**
 * The Node.js of the Lambda runtime the functions are deployed on (`nodejs24.x` for the target
 * `node24`): this process' Node when its major matches, otherwise that major's binary from the npm
 * registry (`npm pack node-<platform>-<arch>@<major>`, the packages the `node` package installs),
 * unpacked once under `node_modules/.cache/rootkey-bench-node`. Without the registry it falls back to
 * this process' Node and says so, so that no figure silently comes from another runtime.
 */
export function lambdaNode(target: string, progress: (line: string) => void = () => {}, exec: Run = run): LambdaNode {
  const own = { path: process.execPath, version: process.version, source: 'this process' as const };
  const major = majorOfTarget(target);
  if (major === undefined) return { ...own, deployedMajor: Number.NaN, fallback: `unknown target ${target}` };
  if (Number(process.versions.node.split('.')[0]) === major) return { ...own, deployedMajor: major };
  const dir = join(CACHE, `node-${process.platform}-${process.arch}-${major}`);
  const binary = join(dir, 'package', 'bin', 'node');
  try {
    if (!existsSync(binary)) {
      progress(`Fetching Node.js ${major} (${nodeBinaryPackage(major)}) from the npm registry for the Lambda runs`);
      const staging = `${dir}.${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      exec('npm', ['pack', nodeBinaryPackage(major), '--silent'], staging);
      const tarball = readdirSync(staging).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error('npm pack wrote no tarball');
      exec('tar', ['xzf', tarball], staging);
      rmSync(join(staging, tarball));
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    }
    const version = exec(binary, ['--version'], REPO).trim();
    if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} is ${version}`);
    return { path: binary, version, deployedMajor: major, source: 'npm package' };
  } catch (error) {
    return {
      ...own,
      deployedMajor: major,
      fallback: `Node.js ${major} could not be fetched (${(error as Error).message.split('\n')[0]}); measured on ${process.version}`,
    };
  }
}

/** Which Node.js ran the measured processes, for the report. */
export function runtimeNodeText(node: LambdaNode): string {
  const deployed = `the functions' runtime is nodejs${node.deployedMajor}.x`;
  if (node.fallback) return `Node ${node.version} (${node.fallback}; ${deployed})`;
  return node.source === 'npm package'
    ? `Node ${node.version}, the major of the Lambda runtime (${deployed}), from npm's \`node-${process.platform}-${process.arch}\` package (this machine's own Node is ${process.version})`
    : `Node ${node.version} (${deployed})`;
}
