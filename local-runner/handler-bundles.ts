import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import * as z from 'zod';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../infra/constructs/task-functions';
import type { TaskHandler } from '../functions/handlers/lambda-handler';
import { TASK_IDS, type TaskId } from '../functions/handlers/task-ids';
import { PREVENTION_FUNCTION_PORTS, type PreventionFunction } from '../functions/handlers/task-ports';
import type { WorkflowRuntime } from '../functions/handlers/workflow-runtime';

/**
 * Where the local runner takes its task handlers from: `source` (the TypeScript modules, as
 * imported) or `bundled` (each task's entry bundled with the very esbuild options `infra/` gives
 * `NodejsFunction`: minified, names kept, the AWS SDK left external — what `cdk deploy` ships).
 */
export type HandlerSource = 'source' | 'bundled';

const handlerSourceSchema = z.enum(['source', 'bundled']);

/**
 * Reads `ROOTKEY_HANDLERS` (`bundled` or `source`); `fallback` when unset. Anything else is a
 * clear error, so that a typo never silently tests the other thing.
 */
export function handlerSourceFromEnv(env: NodeJS.ProcessEnv, fallback: HandlerSource): HandlerSource {
  const value = env['ROOTKEY_HANDLERS'];
  if (value === undefined || value === '') return fallback;
  const parsed = handlerSourceSchema.safeParse(value);
  if (!parsed.success) throw new Error(`ROOTKEY_HANDLERS must be "bundled" or "source", not "${value}"`);
  return parsed.data;
}

/**
 * The Prevention state machine's functions (`functions/handlers/<entry>.ts`), bundled beside the
 * tasks: not TASK_IDS tasks, since they belong to their own state machine.
 */
const PREVENTION_ENTRIES = Object.keys(PREVENTION_FUNCTION_PORTS) as PreventionFunction[];

/** The folders whose files go into a handler bundle (and into the cache key). */
const BUNDLED_FOLDERS = ['functions', 'infra/constructs'];

/**
 * Bundles every task's entry (`functions/handlers/<task>.ts`) with {@link ESBUILD_OPTIONS} and returns
 * the folder holding `<task>.js` per task. The folder is a cache under `node_modules/.cache` keyed
 * by a hash of the bundled sources, the lock file, the options and the esbuild version: a test run
 * bundles once, and every later test file (and run) with unchanged sources reuses it. The folder
 * is written under a temporary name and renamed, so parallel jest workers never read half a bundle.
 * Living inside the repository also lets the bundles resolve the external `@aws-sdk/*` packages
 * from its `node_modules`, as the Lambda runtime provides them.
 */
export function bundleTaskHandlers(
  cacheRoot = path.join(REPO_ROOT, 'node_modules', '.cache', 'rootkey-bundles'),
): string {
  const dir = path.join(cacheRoot, sourceHash());
  if (existsSync(path.join(dir, 'complete'))) return dir;
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    esbuild.buildSync({
      ...ESBUILD_OPTIONS,
      external: [...ESBUILD_OPTIONS.external],
      absWorkingDir: REPO_ROOT,
      entryPoints: Object.fromEntries(
        [...TASK_IDS, ...PREVENTION_ENTRIES].map((entry) => [
          entry,
          path.join(REPO_ROOT, 'functions', 'handlers', `${entry}.ts`),
        ]),
      ),
      outdir: staging,
      logLevel: 'silent',
    });
    mkdirSync(path.join(staging, 'complete'));
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another worker finished the same bundles first: theirs are identical.
      if (!existsSync(path.join(dir, 'complete'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** The factory name each handler entry exports (`detect-root-keys` → `createDetectRootKeysHandler`). */
export function factoryExportOf(task: TaskId | PreventionFunction): string {
  const pascal = task
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return `create${pascal}Handler`;
}

type BundledFactory = (deps: WorkflowRuntime['deps'], second: unknown) => TaskHandler;

/** What each factory takes after `deps`: the sweep's list store for the list step, the callbacks otherwise. */
function secondArgument(task: TaskId, runtime: WorkflowRuntime): unknown {
  return task === 'list-sweep-accounts' ? runtime.sweepLists : runtime.callbacks;
}

/**
 * The task handler factories taken from the bundles in `dir` (see {@link bundleTaskHandlers}). Each
 * entry exports its Lambda `handler` and the factory that `handler` wraps; the factory is what
 * the local runner binds to the simulated organization. Every factory takes `(deps)`,
 * `(deps, callbacks)` or, for the sweep's list step, `(deps, sweepLists)`.
 */
export function loadBundledFactories(dir: string): Record<TaskId, (runtime: WorkflowRuntime) => TaskHandler> {
  const factories = {} as Record<TaskId, (runtime: WorkflowRuntime) => TaskHandler>;
  for (const task of TASK_IDS) {
    const factory = loadBundledFactory<BundledFactory>(dir, task);
    factories[task] = (runtime) => factory(runtime.deps, secondArgument(task, runtime));
  }
  return factories;
}

/**
 * The factory an entry's bundle in `dir` exports beside its Lambda `handler` (the one `handler`
 * wraps), for a task or a Prevention function; the caller gives it the deps.
 */
export function loadBundledFactory<F>(dir: string, entry: TaskId | PreventionFunction): F {
  // A CommonJS bundle, loaded the way the Lambda runtime loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle's path is only known at run time.
  const module = require(path.join(dir, `${entry}.js`)) as Record<string, unknown>;
  const factory = module[factoryExportOf(entry)];
  if (typeof factory !== 'function') throw new Error(`The bundle of ${entry} exports no ${factoryExportOf(entry)}`);
  if (typeof module['handler'] !== 'function') throw new Error(`The bundle of ${entry} exports no Lambda handler`);
  return factory as F;
}

let hashed: string | undefined;

/** A hash of everything the bundles are made of; computed once per process. */
function sourceHash(): string {
  if (hashed) return hashed;
  const hash = createHash('sha256');
  hash.update(JSON.stringify(ESBUILD_OPTIONS));
  hash.update(JSON.stringify([...TASK_IDS, ...PREVENTION_ENTRIES]));
  hash.update(esbuild.version);
  hash.update(readFileSync(path.join(REPO_ROOT, 'package-lock.json')));
  for (const folder of BUNDLED_FOLDERS) {
    for (const file of filesUnder(path.join(REPO_ROOT, folder))) {
      hash.update(path.relative(REPO_ROOT, file));
      hash.update(readFileSync(file));
    }
  }
  hashed = hash.digest('hex').slice(0, 16);
  return hashed;
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full));
    else if (/\.(ts|json)$/.test(name)) found.push(full);
  }
  return found;
}
