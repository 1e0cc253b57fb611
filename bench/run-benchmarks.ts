/**
 * `npm run bench`: measures what users of rootkey pay for, each figure next to the obvious
 * alternative measured in the same run, and writes BENCHMARKS.md (the table; the README and
 * docs/performance.md link it rather than copy it) and bench/results/latest.json (raw figures; not
 * committed). Flags: `--only cold-start,slack-ack,slack-lambda,sweep,cost` runs a subset; `--runs N`
 * sets the cold-start runs per variant (default 3); `--quick` runs small models (a handful of Slack
 * Lambda processes, 1,000 sweep accounts) to check the harness, not to publish.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchmarkColdStart } from './cold-start/cold-start';
import { benchmarkCostPerCase } from './cost/cost-per-case';
import { machineInfo } from './lib/machine';
import { renderBenchmarksMarkdown, type BenchmarkSection } from './lib/report';
import { benchmarkSlackAck } from './slack-ack/slack-ack';
import {
  benchmarkSlackLambda,
  DEFAULT_SLACK_LAMBDA_MODEL,
  QUICK_SLACK_LAMBDA_MODEL,
} from './slack-lambda/slack-lambda-clicks';
import { benchmarkOrganizationSweep, DEFAULT_SWEEP_MODEL } from './sweep/organization-sweep';

const REPO = join(__dirname, '..');

interface Benchmark {
  id: string;
  title: string;
  run: (progress: (line: string) => void, options: { runs: number; quick: boolean }) => Promise<BenchmarkSection>;
}

const BENCHMARKS: Benchmark[] = [
  { id: 'cold-start', title: 'Lambda cold start', run: (p, o) => benchmarkColdStart(p, o.runs) },
  { id: 'slack-ack', title: 'Slack acknowledgement', run: (p) => benchmarkSlackAck(p) },
  {
    id: 'slack-lambda',
    title: 'Slack clicks through the Lambda function',
    run: (p, o) => benchmarkSlackLambda(p, o.quick ? QUICK_SLACK_LAMBDA_MODEL : DEFAULT_SLACK_LAMBDA_MODEL),
  },
  {
    id: 'sweep',
    title: 'Organization sweep',
    run: (p, o) =>
      benchmarkOrganizationSweep(p, o.quick ? { ...DEFAULT_SWEEP_MODEL, accounts: 1_000 } : DEFAULT_SWEEP_MODEL),
  },
  { id: 'cost', title: 'Cost per case', run: (p) => benchmarkCostPerCase(p) },
];

function parseArgs(argv: string[]): { only?: Set<string>; runs: number; quick: boolean } {
  let only: Set<string> | undefined;
  let runs = 3;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg.startsWith('--only')) only = new Set(value().split(','));
    else if (arg === '--quick') quick = true;
    else if (arg.startsWith('--runs')) runs = Math.max(1, Number.parseInt(value(), 10) || 3);
    else
      throw new Error(
        `unknown flag ${arg} (use --only ${BENCHMARKS.map((b) => b.id).join(',')}, --runs N and --quick)`,
      );
  }
  if (only) {
    const unknown = [...only].filter((id) => !BENCHMARKS.some((b) => b.id === id));
    if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}`);
  }
  return { ...(only ? { only } : {}), runs, quick };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const machine = machineInfo();
  const load = loadavg()[0];
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  log(`rootkey benchmarks on ${machine.cores} cores, Node ${machine.node} (load average ${load.toFixed(1)})`);

  const sections: BenchmarkSection[] = [];
  for (const benchmark of BENCHMARKS.filter((b) => !args.only || args.only.has(b.id))) {
    log(`== ${benchmark.title}`);
    try {
      sections.push(await benchmark.run(log, { runs: args.runs, quick: args.quick }));
    } catch (error) {
      const reason = `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
      log(`   not run: ${reason}`);
      sections.push({ id: benchmark.id, title: benchmark.title, rows: [], details: [], notRun: reason });
    }
  }

  const durationSeconds = (Date.now() - started) / 1000;
  const generatedAt = new Date().toISOString();
  const markdown = renderBenchmarksMarkdown({
    generatedAt,
    durationSeconds,
    machine: { ...machine, platform: `${machine.platform}, load average ${load.toFixed(1)} at start` },
    sections,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  });
  writeFileSync(join(REPO, 'BENCHMARKS.md'), markdown);
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(REPO, 'bench', 'results', 'latest.json'),
    `${JSON.stringify({ generatedAt, durationSeconds, machine, loadAverage: loadavg(), sections }, null, 2)}\n`,
  );

  console.log('');
  for (const s of sections) {
    if (s.notRun !== undefined && s.rows.length === 0) console.log(`${s.title}: not run (${s.notRun})`);
    for (const r of s.rows) {
      const met = r.met === undefined ? 'not run' : r.met ? 'met' : 'MISSED';
      console.log(`${r.benchmark}\n  ${r.figure}\n  vs ${r.comparison}\n  goal ${r.goal}: ${met}`);
    }
  }
  log(`wrote BENCHMARKS.md and bench/results/latest.json in ${durationSeconds.toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
