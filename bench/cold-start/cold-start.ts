import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { signSlackRequest } from '../../sandbox/slack-standin/interactions';
import { lambdaNode, runtimeNodeText, type LambdaNode } from '../lib/lambda-node';
import type { BenchmarkRow, BenchmarkSection } from '../lib/report';
import { median, round } from '../lib/stats';
import { STUB_SLACK_SECRET, type AwsStub } from './aws-stub-server';
import { BENCH_ACCESS_KEY_ID, CASES_TABLE, startBenchWorld } from './bench-world';
import { TASK_EVENTS } from './handler-events';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';
import { functionSdkPackagesOf } from '../../functions/handlers/task-ports';
import { SLACK_BUNDLE_ALIASES } from '../../infra/constructs/slack-bundling';

const REPO = join(__dirname, '..', '..');
const RUNNER = join(__dirname, 'invoke-handler.js');
/** The issue's goals (#18); test/unit/infra/lambda-bundles.test.ts enforces the same limits in CI. */
export const TASK_BUNDLE_LIMIT_BYTES = 250_000;
export const SLACK_BUNDLE_LIMIT_BYTES = 400_000;

/** A Lambda entry: a file that exports `handler`. */
export interface LambdaEntry {
  name: string;
  /** Absolute path of the TypeScript entry. */
  file: string;
}

/** esbuild options that mirror `infra/`'s NodejsFunction bundling (CDK passes exactly these flags). */
export interface BundlingOptions {
  target: string;
  minify: boolean;
  keepNames?: boolean;
  sourcemap: boolean;
  external: string[];
  /** NODE_OPTIONS the functions run with (`--enable-source-maps` when infra sets it). */
  nodeOptions?: string;
}

/** Task handlers (`functions/handlers/*.ts` exporting `handler`) and the Slack app's Lambda entry. */
export function discoverEntries(repo = REPO): LambdaEntry[] {
  const dir = join(repo, 'functions', 'handlers');
  const exportsHandler = /export\s+(const|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;
  const entries: LambdaEntry[] = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f))
        .filter((file) => exportsHandler.test(readFileSync(file, 'utf8')))
        .map((file) => ({ name: basename(file, '.ts'), file }))
    : [];
  const slack = join(repo, 'slack-app', 'lambda-handler.ts');
  if (existsSync(slack) && exportsHandler.test(readFileSync(slack, 'utf8'))) {
    entries.push({ name: 'slack-app', file: slack });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Reads the bundling options from `infra/constructs/task-functions.ts` (its `bundling:` block), so
 * that the benchmark follows the infrastructure; falls back to the issue's node22 when absent.
 */
export function infraBundlingOptions(repo = REPO): BundlingOptions & { source: string } {
  const file = join(repo, 'infra', 'constructs', 'task-functions.ts');
  const fallback = { target: 'node22', minify: true, sourcemap: true, external: ['@aws-sdk/*'] };
  if (!existsSync(file)) return { ...fallback, source: 'defaults (infra/ not found)' };
  const text = readFileSync(file, 'utf8');
  const target = /target:\s*'(node\d+)'/.exec(text)?.[1];
  const runtime = /Runtime\.NODEJS_(\d+)_X/.exec(text)?.[1];
  const external = /externalModules:\s*\[([^\]]*)\]/.exec(text)?.[1];
  return {
    target: target ?? (runtime ? `node${runtime}` : fallback.target),
    minify: /minify:\s*true/.test(text),
    keepNames: /keepNames:\s*true/.test(text),
    sourcemap: /sourceMap:\s*true/.test(text),
    ...(/NODE_OPTIONS:\s*'([^']*)'/.exec(text) ? { nodeOptions: /NODE_OPTIONS:\s*'([^']*)'/.exec(text)![1] } : {}),
    external: external ? [...external.matchAll(/'([^']+)'/g)].map((m) => m[1]) : fallback.external,
    source: relative(repo, file),
  };
}

export interface Bundled {
  entry: LambdaEntry;
  outfile: string;
  bytes: number;
  /** Repository source files the bundle includes. */
  sources: string[];
  /** The three packages contributing most bytes to the bundle. */
  topPackages: { name: string; bytes: number }[];
  /** SDK packages the bundle requires from the Lambda runtime. */
  sdkPackages: string[];
}

function packagesBySize(metafile: Metafile, outfile: string): { name: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(basename(outfile)))?.[1];
  const sizes = new Map<string, number>();
  for (const [input, info] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match ? match[1] : '(this repository)';
    sizes.set(name, (sizes.get(name) ?? 0) + info.bytesInOutput);
  }
  return [...sizes.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
}

/** Bundles one entry as CDK's NodejsFunction does (`esbuild --bundle … --platform=node --format=cjs`). */
export async function bundle(entry: LambdaEntry, outDir: string, options: BundlingOptions): Promise<Bundled> {
  const outfile = join(outDir, entry.name, 'index.js');
  const result = await build({
    entryPoints: [entry.file],
    bundle: true,
    platform: 'node',
    target: options.target,
    format: 'cjs',
    outfile,
    minify: options.minify,
    keepNames: options.keepNames ?? false,
    sourcemap: options.sourcemap,
    sourcesContent: false,
    external: options.external,
    // The Slack function's bundling aliases (infra/constructs/slack-bundling.ts), as infra passes them.
    alias: entry.name === 'slack-app' ? { ...SLACK_BUNDLE_ALIASES } : {},
    absWorkingDir: REPO,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.js'))?.[1];
  const sdkPackages = [
    ...new Set((output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path)),
  ].sort();
  const sources = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .map((p) => join(REPO, p));
  return {
    entry,
    outfile,
    bytes: statSync(outfile).size,
    sources,
    topPackages: packagesBySize(result.metafile, outfile),
    sdkPackages,
  };
}

/**
 * The alternative: the same sources compiled file by file (what `tsc` would emit; esbuild does it
 * faster with the same result for loading), run against the installed `node_modules`.
 */
async function compileUnbundled(sources: string[], outDir: string, target: string): Promise<void> {
  const ts = sources.filter((s) => s.endsWith('.ts'));
  await build({
    entryPoints: ts,
    bundle: false,
    platform: 'node',
    target,
    format: 'cjs',
    outdir: outDir,
    outbase: REPO,
    absWorkingDir: REPO,
    logLevel: 'silent',
  });
  for (const file of sources.filter((s) => s.endsWith('.json'))) {
    const dest = join(outDir, relative(REPO, file));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
}

/** An API Gateway (REST, proxy) event carrying a signed click on "Delete" for a case, as Slack sends it. */
export function slackClickEvent(
  signingSecret: string,
  responseUrl: string,
  now = Math.floor(Date.now() / 1000),
  caseId = 'RK-123456789012-20260101000000-ab12',
): unknown {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0BENCH' },
    api_app_id: 'A0ROOTKEY',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1767225600.000100', channel_id: 'C0ROOTKEYS', is_ephemeral: false },
    trigger_id: 'U0ALICE.bench',
    team: { id: 'T0BENCH', domain: 'bench' },
    channel: { id: 'C0ROOTKEYS', name: 'root-keys' },
    message: { type: 'message', ts: '1767225600.000100', text: 'approval', blocks: [] },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: 'rootkey.decide.delete',
        block_id: 'rootkey.decision-actions',
        value: caseId,
        action_ts: `${now}.000000`,
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    resource: '/slack/events',
    path: '/slack/events',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body, now) },
    multiValueHeaders: {},
    queryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { stage: 'prod', requestId: 'bench', httpMethod: 'POST', path: '/prod/slack/events' },
    body,
    isBase64Encoded: false,
  };
}

/** Environment of the fresh process: names and ARNs as in Lambda, every AWS endpoint at the local stub. */
export function lambdaEnv(stub: AwsStub): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    // Resolves packages for both variants from the installed node_modules (Lambda's runtime ships @aws-sdk).
    NODE_PATH: join(REPO, 'node_modules'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: BENCH_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'benchmark-stub-secret',
    AWS_ENDPOINT_URL: stub.url,
    // Set by the Lambda runtime in every function; the Slack function invokes itself by it.
    AWS_LAMBDA_FUNCTION_NAME: 'rootkey-slack',
    AWS_MAX_ATTEMPTS: '1',
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    CASES_TABLE_NAME: CASES_TABLE,
    EVIDENCE_BUCKET_NAME: 'rootkey-evidence',
    SWEEP_LIST_BUCKET_NAME: 'rootkey-sweep-lists',
    EVIDENCE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000001',
    EVIDENCE_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000002',
    SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rootkey-slack-AbCdEf',
    SLACK_CHANNEL: 'C0ROOTKEYS',
    SLACK_APPROVERS: 'U0ALICE',
    SLACK_API_URL: `${stub.url}/slack/api/`,
    READ_ROLE_NAME: DEFAULT_READ_ROLE_NAME,
    POWERTOOLS_SERVICE_NAME: 'rootkey',
    POWERTOOLS_METRICS_NAMESPACE: 'RootKey',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

/** The deployed variant runs with the functions' NODE_OPTIONS (`--enable-source-maps`), as in Lambda. */
export function deployedEnv(env: NodeJS.ProcessEnv, options: BundlingOptions): NodeJS.ProcessEnv {
  return options.nodeOptions ? { ...env, NODE_OPTIONS: options.nodeOptions } : env;
}

interface ProcessRun {
  boot: number;
  load: number;
  invoke: number;
  /** Of load + invoke: loading `@aws-sdk/*` (outermost requires). */
  sdk: number;
  outcome: string;
  detail: string;
}

/** One fresh process on `node` (the deployed Lambda runtime's Node.js) that loads the module and invokes it once. */
function runOnce(node: LambdaNode, modulePath: string, eventPath: string, env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    execFile(
      node.path,
      [RUNNER, modulePath, eventPath],
      { env, cwd: tmpdir(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        if (!line) {
          reject(new Error(`no result from ${modulePath}: ${error?.message ?? ''} ${stderr.slice(0, 500)}`));
          return;
        }
        resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as ProcessRun);
      },
    );
  });
}

export interface ColdStartEntryResult {
  name: string;
  bundleBytes: number;
  sdkPackages: string[];
  /** For task functions: the SDK packages its ports need (TASK_PORTS). */
  expectedSdkPackages?: string[];
  /** Module load without `@aws-sdk/*`, bundled (as deployed) / unbundled. */
  loadRatioWithoutSdk: number;
  topPackages: { name: string; bytes: number }[];
  /** Medians over the runs, milliseconds: module load + first invocation, and Node's own boot. */
  bundled: Measured;
  unbundled: Measured;
  ratio: number;
  /** The ratio of what is left once the AWS SDK (loaded the same way by both) is taken out. */
  ratioWithoutSdk: number;
}

interface Measured {
  loadAndInvokeMs: number;
  loadMs: number;
  sdkMs: number;
  bootMs: number;
  outcome: string;
}

function summarize(samples: ProcessRun[]): Measured {
  // A run that threw is reported as such, even when the others returned: the last column stays truthful.
  const reported = samples.find((s) => s.outcome !== 'returned') ?? samples[0];
  return {
    loadAndInvokeMs: median(samples.map((s) => s.load + s.invoke)),
    loadMs: median(samples.map((s) => s.load)),
    sdkMs: median(samples.map((s) => s.sdk)),
    bootMs: median(samples.map((s) => s.boot)),
    outcome: `${reported.outcome}: ${reported.detail}`,
  };
}

/**
 * Runs both variants of one entry, alternating bundled and unbundled, so that a change in the
 * machine's load during the measurement hits both alike. One unmeasured run of each comes first,
 * so that both start from a warm file-system cache.
 */
async function measurePair(
  node: LambdaNode,
  bundledPath: string,
  unbundledPath: string,
  eventPath: string,
  env: NodeJS.ProcessEnv,
  runs: number,
  bundledEnv: NodeJS.ProcessEnv,
  prepare: () => Promise<void>,
): Promise<{ bundled: Measured; unbundled: Measured }> {
  // Every run starts from the same AWS state (its case seeded, nothing left by the run before).
  const run = async (path: string, runEnv: NodeJS.ProcessEnv) => {
    await prepare();
    return runOnce(node, path, eventPath, runEnv);
  };
  await run(bundledPath, bundledEnv);
  await run(unbundledPath, env);
  const bundled: ProcessRun[] = [];
  const unbundled: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    bundled.push(await run(bundledPath, bundledEnv));
    unbundled.push(await run(unbundledPath, env));
  }
  return { bundled: summarize(bundled), unbundled: summarize(unbundled) };
}

const kb = (bytes: number) => `${round(bytes / 1000, 0)} kB`;
const ms = (value: number) => `${round(value, 0)} ms`;

/** Benchmark 1: bundle size and cold start of every Lambda entry, bundled vs unbundled. */
export async function benchmarkColdStart(progress: (line: string) => void, runs = 5): Promise<BenchmarkSection> {
  const entries = discoverEntries();
  if (entries.length === 0) {
    return {
      id: 'cold-start',
      title: 'Lambda cold start',
      rows: [],
      details: [],
      notRun: 'no Lambda entries (functions/handlers/*.ts exporting handler, slack-app/lambda-handler.ts) exist yet',
    };
  }
  const options = infraBundlingOptions();
  const node = lambdaNode(options.target, progress);
  progress(`Cold start: Lambda processes on Node ${node.version}${node.fallback ? ` (${node.fallback})` : ''}`);
  const work = mkdtempSync(join(tmpdir(), 'rootkey-bench-'));
  const world = await startBenchWorld();
  const stub = world.stub;
  try {
    progress(
      `Cold start: bundling ${entries.length} Lambda entries (esbuild, ${options.target}, as ${options.source})`,
    );
    const bundles: Bundled[] = [];
    const failures: string[] = [];
    for (const entry of entries) {
      try {
        bundles.push(await bundle(entry, join(work, 'bundled'), options));
      } catch (error) {
        failures.push(`${entry.name}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const sources = [...new Set(bundles.flatMap((b) => b.sources))];
    await compileUnbundled(sources, join(work, 'unbundled'), options.target);
    const env = lambdaEnv(stub);
    const results: ColdStartEntryResult[] = [];
    for (const [i, b] of bundles.entries()) {
      const event =
        b.entry.name === 'slack-app'
          ? slackClickEvent(STUB_SLACK_SECRET.signingSecret, `${stub.url}/slack/response`)
          : (TASK_EVENTS[b.entry.name] ?? {});
      const eventPath = join(work, 'events', `${b.entry.name}.json`);
      mkdirSync(dirname(eventPath), { recursive: true });
      writeFileSync(eventPath, JSON.stringify(event));
      const unbundledPath = join(work, 'unbundled', relative(REPO, b.entry.file)).replace(/\.ts$/, '.js');
      const { bundled, unbundled } = await measurePair(
        node,
        b.outfile,
        unbundledPath,
        eventPath,
        env,
        runs,
        deployedEnv(env, options),
        () => world.prepare(b.entry.name),
      );
      results.push({
        name: b.entry.name,
        bundleBytes: b.bytes,
        sdkPackages: b.sdkPackages,
        ...(functionSdkPackagesOf(b.entry.name) ? { expectedSdkPackages: functionSdkPackagesOf(b.entry.name) } : {}),
        loadRatioWithoutSdk: (bundled.loadMs - bundled.sdkMs) / Math.max(0.1, unbundled.loadMs - unbundled.sdkMs),
        topPackages: b.topPackages,
        bundled,
        unbundled,
        ratio: bundled.loadAndInvokeMs / unbundled.loadAndInvokeMs,
        ratioWithoutSdk:
          (bundled.loadAndInvokeMs - bundled.sdkMs) / Math.max(1, unbundled.loadAndInvokeMs - unbundled.sdkMs),
      });
      progress(
        `  [${i + 1}/${bundles.length}] ${b.entry.name}: ${kb(b.bytes)}, ${ms(bundled.loadAndInvokeMs)} bundled vs ${ms(unbundled.loadAndInvokeMs)} unbundled`,
      );
    }
    const messages = await bundledValidationMessage(node, bundles, work, deployedEnv(env, options));
    return coldStartSection(results, failures, options, runs, node, await zodWeights(options.target), messages);
  } finally {
    await world.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The validation message a bundled task gives for a missing field (zod/mini must have its English
 * locale, or the message is a bare "Invalid input"): detect-root-keys with a trigger lacking `detectedAt`.
 */
async function bundledValidationMessage(
  node: LambdaNode,
  bundles: Bundled[],
  work: string,
  env: NodeJS.ProcessEnv,
): Promise<{ detail: string; english: boolean } | undefined> {
  const detect = bundles.find((b) => b.entry.name === 'detect-root-keys');
  if (!detect) return undefined;
  const eventPath = join(work, 'events', 'detect-root-keys-invalid.json');
  mkdirSync(dirname(eventPath), { recursive: true });
  writeFileSync(eventPath, JSON.stringify({ trigger: { source: 'manual', accountId: '123456789012' } }));
  const run = await runOnce(node, detect.outfile, eventPath, env);
  return { detail: run.detail, english: run.detail.includes('expected string, received undefined') };
}

/** What zod alone weighs in a bundle: the classic API (`zod`) against the tree-shakable `zod/mini`, same schema. */
async function zodWeights(target: string): Promise<{ classic: number; mini: number } | undefined> {
  const weigh = async (contents: string) => {
    const result = await build({
      stdin: { contents, loader: 'ts', resolveDir: REPO },
      bundle: true,
      platform: 'node',
      target,
      format: 'cjs',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0].contents.byteLength;
  };
  try {
    return {
      classic: await weigh(
        "import { z } from 'zod'; export const s = z.strictObject({ id: z.string().regex(/^\\d{12}$/), at: z.iso.datetime(), n: z.array(z.number()).optional() });",
      ),
      mini: await weigh(
        "import * as z from 'zod/mini'; export const s = z.strictObject({ id: z.string().check(z.regex(/^\\d{12}$/)), at: z.iso.datetime(), n: z.optional(z.array(z.number())) });",
      ),
    };
  } catch {
    return undefined;
  }
}

function coldStartSection(
  results: ColdStartEntryResult[],
  failures: string[],
  options: BundlingOptions & { source: string },
  runs: number,
  node: LambdaNode,
  zod: { classic: number; mini: number } | undefined,
  messages?: { detail: string; english: boolean },
): BenchmarkSection {
  const rows: BenchmarkRow[] = [];
  const tasks = results.filter((r) => r.name !== 'slack-app');
  const slack = results.find((r) => r.name === 'slack-app');
  const zodNote = zod
    ? ` zod 4's classic API is not tree-shakable: one small schema bundles to ${kb(zod.classic)}, the same schema with \`zod/mini\` to ${kb(zod.mini)}.`
    : '';
  if (tasks.length > 0) {
    const largest = [...tasks].sort((a, b) => b.bundleBytes - a.bundleBytes)[0];
    const oversize = tasks.filter((r) => r.bundleBytes >= TASK_BUNDLE_LIMIT_BYTES);
    const met = oversize.length === 0 && failures.length === 0 && messages?.english === true;
    rows.push({
      benchmark: `Every task bundle (${tasks.length} functions)`,
      figure: `largest ${kb(largest.bundleBytes)} (${largest.name}); median ${kb(median(tasks.map((r) => r.bundleBytes)))}; bundled message for a missing field: "${cellText(messages?.detail.replace(/^[^:]*: /, '') ?? 'not measured')}"`,
      comparison: 'unbundled: sources + node_modules at run time',
      goal: `< ${TASK_BUNDLE_LIMIT_BYTES / 1000} kB, English validation messages kept (tested on the bundle)`,
      met,
      ...(met
        ? {}
        : {
            note:
              failures.length > 0
                ? `could not bundle: ${failures.join('; ')}`
                : oversize.length > 0
                  ? `${oversize.length} of ${tasks.length} task bundles are ${TASK_BUNDLE_LIMIT_BYTES / 1000} kB or more: ${oversize.map((r) => `${r.name} ${kb(r.bundleBytes)} (${r.topPackages.map((p) => p.name).join(', ')})`).join('; ')}.${zodNote}`
                  : 'the bundled message is not the English one: zod/mini runs without its locale.',
          }),
    });
    const mismatched = tasks.filter((r) => r.expectedSdkPackages?.join() !== r.sdkPackages.join());
    const most = [...tasks].sort((a, b) => b.sdkPackages.length - a.sdkPackages.length)[0];
    rows.push({
      benchmark: 'SDK clients loaded per function',
      figure: `${tasks.length - mismatched.length} of ${tasks.length} task functions load exactly their ports' clients (most: ${most.name}, ${most.sdkPackages.length} packages; fewest: ${Math.min(...tasks.map((r) => r.sdkPackages.length))})${slack ? `; Slack: ${slack.sdkPackages.length}` : ''} (table below)`,
      comparison: 'before issue #18: all 10 SDK packages in every function (one shared aws-deps)',
      goal: 'only those its task calls (listed per function)',
      met: mismatched.length === 0,
      ...(mismatched.length === 0
        ? {}
        : {
            note: `${mismatched.map((r) => (r.expectedSdkPackages ? `${r.name} loads ${r.sdkPackages.join(', ')} but its ports need ${r.expectedSdkPackages.join(', ')}` : `${r.name} has no list of the ports it is built with (functions/handlers/task-ports.ts)`)).join('; ')}.`,
          }),
    });
  }
  if (slack) {
    const met = slack.bundleBytes < SLACK_BUNDLE_LIMIT_BYTES;
    rows.push({
      benchmark: 'Slack Lambda bundle',
      figure: `${kb(slack.bundleBytes)} (${slack.topPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', ')})`,
      comparison: 'before issue #18: 2,301 kB (undici 537 kB via Socket Mode, iconv-lite 493 kB via raw-body)',
      goal: `< ${SLACK_BUNDLE_LIMIT_BYTES / 1000} kB`,
      met,
      ...(met ? {} : { note: `the Slack bundle is ${kb(slack.bundleBytes)}.` }),
    });
  }
  if (results.length > 0) {
    const slow = results.filter((r) => r.loadRatioWithoutSdk > 1 / 3);
    const worst = [...results].sort((a, b) => b.loadRatioWithoutSdk - a.loadRatioWithoutSdk)[0];
    const met2 = slow.length === 0;
    const load = (m: Measured) => m.loadMs - m.sdkMs;
    rows.push({
      benchmark: `Module load excluding \`@aws-sdk\`, as deployed (${options.nodeOptions ?? 'no NODE_OPTIONS'})`,
      figure: `median ${ms(median(results.map((r) => load(r.bundled))))} bundled; median ratio ${round(median(results.map((r) => r.loadRatioWithoutSdk)) * 100, 0)}%, worst ${round(worst.loadRatioWithoutSdk * 100, 0)}% (${worst.name}); first invocation included: median ${ms(median(results.map((r) => r.bundled.loadAndInvokeMs)))} (SDK ${ms(median(results.map((r) => r.bundled.sdkMs)))})`,
      comparison: `unbundled: median ${ms(median(results.map((r) => load(r.unbundled))))} (first invocation included: ${ms(median(results.map((r) => r.unbundled.loadAndInvokeMs)))})`,
      goal: '≤ ⅓ of the unbundled load, every function',
      met: met2,
      ...(met2
        ? {}
        : {
            note: `${slow.length} of ${results.length} functions load in more than a third of the unbundled time without the SDK. The SDK itself is loaded from the runtime by both variants, so it is left out on both sides; what remains is Powertools, zod and this repository's code, which bundling makes one file but does not make much smaller once the large dependencies are gone. Proposed replacement, from this run: every function's load without the SDK (source maps on) ≤ ${Math.ceil((worst.loadRatioWithoutSdk * 100) / 10) * 10}% of the unbundled load, i.e. no worse than measured here, with the bundle sizes above as the CI-checked guard.`,
          }),
    });
  }
  const table = [
    '| Function | Bundle | Largest parts | SDK clients (`@aws-sdk/…`) | Bundled: load without SDK | Unbundled: load without SDK | Ratio | Bundled: load + invoke (SDK) | Unbundled: load + invoke (SDK) | First invocation ended |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${kb(r.bundleBytes)} | ${r.topPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', ')} | ${r.sdkPackages.map((p) => p.replace('@aws-sdk/', '')).join(', ') || 'none'} | ${ms(r.bundled.loadMs - r.bundled.sdkMs)} | ${ms(r.unbundled.loadMs - r.unbundled.sdkMs)} | ${round(r.loadRatioWithoutSdk * 100, 0)}% | ${ms(r.bundled.loadAndInvokeMs)} (${ms(r.bundled.sdkMs)}) | ${ms(r.unbundled.loadAndInvokeMs)} (${ms(r.unbundled.sdkMs)}) | ${cellText(r.bundled.outcome)} |`,
    ),
  ].join('\n');
  return {
    id: 'cold-start',
    title: 'Lambda cold start',
    rows,
    details: [
      `**Method.** Every Lambda entry (\`functions/handlers/*.ts\` exporting \`handler\`, and \`slack-app/lambda-handler.ts\`) is bundled with esbuild exactly as \`infra/\`'s \`NodejsFunction\` does (read from \`${options.source}\`: \`--bundle --platform=node --target=${options.target} --format=cjs${options.minify ? ' --minify' : ''}${options.keepNames ? ' --keep-names' : ''}${options.sourcemap ? ' --sourcemap --sources-content=false' : ''}\`, external ${options.external.map((e) => `\`${e}\``).join(', ')}; the Slack function with its aliases from \`infra/constructs/slack-bundling.ts\`). The bundled variant runs with the functions' \`NODE_OPTIONS\` (${options.nodeOptions ? `\`${options.nodeOptions}\`` : 'none'}), as deployed. The size is \`index.js\` without its source map (kB = 1,000 bytes). The alternative is the same sources compiled file by file to CommonJS (what \`tsc\` emits; esbuild with \`bundle: false\` does the same, faster) loading packages from \`node_modules\`, i.e. deploying the build output with its dependencies.`,
      `**Timing.** Each variant runs ${runs} times, bundled and unbundled alternating (after one unmeasured warm-up run each for the file-system cache) in a fresh \`node\` process on ${runtimeNodeText(node)} (\`bench/cold-start/invoke-handler.js\`) that requires the module and calls \`handler(event, context)\` once with an event shaped as the state machine or API Gateway sends it (\`bench/cold-start/handler-events.ts\`; the Slack entry gets a signed click). The environment points the SDK at a local stub (\`AWS_ENDPOINT_URL\`, \`bench/cold-start/aws-stub-server.ts\`) that answers DynamoDB, KMS (a P-256 signing key), S3, Secrets Manager, Step Functions and Slack, and forwards STS, IAM, Organizations and Security Hub to the tests' organization double (\`test/support/aws/aws-endpoint-double.ts\`: the member account with its root key, its IAM.4 finding). Before every run both are reset and the case the task expects is stored through the DynamoDB case store (\`bench/cold-start/bench-world.ts\`), so each invocation does its real work — reads, AssumeRoot, deletes, signed evidence, Slack posts — and the last column shows how it ended (any run that threw is reported). Figures are medians of module load + first invocation measured inside the process; "SDK" is the part spent requiring \`@aws-sdk/*\`. Node's own boot (≈${ms(median(results.map((r) => r.bundled.bootMs)))}) is the same for both and left out, as is Lambda's own init.`,
      ...(zod
        ? [
            `**Where the bytes are.** ${zodNote.trim()} The hot path uses \`zod/mini\` with the English locale (\`functions/core/zod-mini.ts\`); no Powertools Tracer (its X-Ray SDK chain); \`@slack/web-api\` only in the functions that post; each function builds only its ports' SDK clients (\`functions/handlers/task-ports.ts\`). The Slack function builds Bolt over \`AwsLambdaReceiver\` alone and aliases Socket Mode (undici), raw-body (iconv-lite) and OAuth away. \`test/unit/infra/lambda-bundles.test.ts\` checks the sizes and SDK clients in CI.`,
          ]
        : []),
      table,
      ...(failures.length > 0 ? [`Could not bundle: ${failures.join('; ')}.`] : []),
    ],
    data: { options, runs, results, failures, zod },
  };
}

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 90);
}
