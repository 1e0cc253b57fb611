import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');
/** Where synthesized results are kept between test files (and runs): one JSON file per source state and context. */
export const SYNTH_CACHE_DIR = join(REPO, 'node_modules', '.cache', 'rootkey-test-synth');
/** What a synthesis reads: the CDK app, the code it imports for names and options, the context and the locked dependencies. */
const SOURCES = ['infra', 'functions', 'local-runner', 'slack-app'];
const FILES = ['cdk.json', 'package-lock.json'];

let fingerprint: string | undefined;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && /\.(ts|json)$/.test(entry.name) ? [path] : [];
  });
}

/** A hash of every file a synthesis depends on: any edit gives a new key, so a cached template is never stale. */
export function sourceFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash('sha256');
  const files = [...SOURCES.flatMap((d) => filesUnder(join(REPO, d))), ...FILES.map((f) => join(REPO, f))].sort();
  for (const file of files) {
    hash.update(file.slice(REPO.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  fingerprint = hash.digest('hex').slice(0, 16);
  return fingerprint;
}

/** Environment a synthesis may read (CDK's default account and Region, rootkey's settings). */
function relevantEnv(): [string, string | undefined][] {
  return Object.entries(process.env)
    .filter(([k]) => k.startsWith('CDK_') || k.startsWith('ROOTKEY_'))
    .sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Synthesizing the CDK app takes seconds (with the cdk-nag packs, most of an infra test file's time), and jest
 * gives every test file a fresh module registry, so an in-memory cache lives for one file only. This keeps
 * what `compute` returns (JSON) on disk under a key made of `name`, `context` and the source fingerprint, so
 * one run synthesizes each context once, and an unchanged tree not at all. A synthesis that throws (a cdk-nag
 * finding) is never cached. Written through a rename, so a parallel worker reads a whole file or none.
 */
export function cachedSynthesis<T>(name: string, context: Record<string, unknown>, compute: () => T): T {
  const key = createHash('sha256')
    .update(`${name}\0${JSON.stringify(context)}\0${sourceFingerprint()}\0${JSON.stringify(relevantEnv())}`)
    .digest('hex')
    .slice(0, 24);
  const path = join(SYNTH_CACHE_DIR, `${name}-${key}.json`);
  try {
    if (statSync(path).isFile()) return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    // Not cached yet.
  }
  const value = compute();
  mkdirSync(SYNTH_CACHE_DIR, { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(value));
  renameSync(partial, path);
  return value;
}
