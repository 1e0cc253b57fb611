import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The four parts of the reliability suite, in the order RELIABILITY.md shows them. */
export const RELIABILITY_SECTIONS = ['faults', 'bad-input', 'forgery', 'least-privilege'] as const;
export type ReliabilitySection = (typeof RELIABILITY_SECTIONS)[number];

/**
 * One measured scenario. Every number is counted by the test that ran it; the report script only
 * renders them. `holds` is the property the test asserts, computed from the same counts.
 */
export interface ScenarioResult {
  /** Stable id, e.g. `faults.iam-sts-throttling`. */
  id: string;
  section: ReliabilitySection;
  title: string;
  /** What was done to the system (fault, input, forgery, template check). */
  injected: string;
  /** The measured outcome in one line, built from `counts`. */
  outcome: string;
  counts: Record<string, number>;
  /** What the scenario must achieve (faults: every case remediated, or failing as described); `holds` is measured against it. */
  goal?: string;
  /** Whether the property the test asserts held in this run. */
  holds: boolean;
  /** A gap the test documents (a known weakness), shown in the report's gap list. */
  gap?: string;
}

export interface ReliabilityFile {
  /** Test file that measured these, relative to the repository root. */
  source: string;
  writtenAt: string;
  durationMs: number;
  scenarios: ScenarioResult[];
}

/** `test-results/reliability.json`: every fragment of the last run, merged. */
export interface ReliabilityResults {
  schemaVersion: 1;
  generatedAt: string;
  files: ReliabilityFile[];
}

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');
export const FRAGMENTS_DIR = join(RESULTS_DIR, 'reliability');
export const RESULTS_FILE = join(RESULTS_DIR, 'reliability.json');

/**
 * Collects the counts of one test file and writes them as a fragment
 * (`test-results/reliability/<name>.json`), then merges every fragment into
 * `test-results/reliability.json`. Jest runs test files in parallel workers, so the merge runs under
 * a lock directory (mkdir is atomic) and writes through a rename: a reader never sees half a file.
 */
export class ReliabilityRecorder {
  private readonly scenarios: ScenarioResult[] = [];
  private readonly started = Date.now();

  constructor(
    /** Fragment name, e.g. `workflow-faults`. */
    private readonly name: string,
    /** Test file, relative to the repository root. */
    private readonly source: string,
  ) {}

  /** Adds (or replaces, by id) one scenario's result. */
  add(result: ScenarioResult): ScenarioResult {
    const at = this.scenarios.findIndex((s) => s.id === result.id);
    if (at >= 0) this.scenarios.splice(at, 1, result);
    else this.scenarios.push(result);
    return result;
  }

  get results(): readonly ScenarioResult[] {
    return this.scenarios;
  }

  /** Writes the fragment and re-merges the results file. Call in `afterAll`. */
  async flush(): Promise<void> {
    mkdirSync(FRAGMENTS_DIR, { recursive: true });
    const file: ReliabilityFile = {
      source: this.source,
      writtenAt: new Date().toISOString(),
      durationMs: Date.now() - this.started,
      scenarios: this.scenarios,
    };
    writeAtomically(join(FRAGMENTS_DIR, `${this.name}.json`), JSON.stringify(file, null, 2));
    await withLock(join(RESULTS_DIR, '.reliability.lock'), () => {
      writeAtomically(RESULTS_FILE, JSON.stringify(mergeFragments(), null, 2));
    });
  }
}

/** Reads every fragment into one results document, sorted by source file. */
export function mergeFragments(dir = FRAGMENTS_DIR): ReliabilityResults {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ReliabilityFile)
    .sort((a, b) => a.source.localeCompare(b.source));
  return { schemaVersion: 1, generatedAt: new Date().toISOString(), files };
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${content}\n`);
  renameSync(temporary, path);
}

async function withLock(lockDir: string, work: () => void): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A worker that died holding the lock must not block the next run forever.
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    work();
  } finally {
    try {
      rmdirSync(lockDir);
    } catch {
      // Already gone (the deadline above let a second writer in).
    }
  }
}

/** `3 remediated, 1 failed` from a status count, largest first. */
export function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
