/**
 * Renders RELIABILITY.md from the counts the reliability suite measured
 * (`test-results/reliability.json`, written by `npm test`). Nothing here is typed by hand: every
 * number in the report comes from that file.
 *
 *   npm run reliability:report            (= tsx test/reliability/write-report.ts [results.json] [RELIABILITY.md])
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RELIABILITY_SECTIONS,
  REPO_ROOT,
  RESULTS_FILE,
  type ReliabilityResults,
  type ReliabilitySection,
  type ScenarioResult,
} from '../support/reliability/reliability-results';

/** The test files that write fragments; a missing one is named in the report. */
export const EXPECTED_SOURCES = [
  'test/integration/reliability/workflow-faults.test.ts',
  'test/integration/reliability/slack-forgery.test.ts',
  'test/integration/reliability/slack-injection.test.ts',
  'test/integration/reliability/cli-fuzz.test.ts',
  'test/integration/reliability/evidence-forgery.test.ts',
  'test/unit/reliability/edge-parsers-fuzz.test.ts',
  'test/unit/reliability/task-input-fuzz.test.ts',
  'test/unit/reliability/least-privilege.test.ts',
];

const SECTION_TITLES: Record<ReliabilitySection, string> = {
  faults: 'Faults: a fault that clears delays a case, never changes how it ends',
  'bad-input': 'Bad input: a clear error, never a crash, nothing changed',
  forgery: 'Forgery and abuse: refused, nothing changed',
  'least-privilege': 'Least privilege: the synthesized templates',
};

const SECTION_INTROS: Record<ReliabilitySection, string> = {
  faults:
    'The synthesized state machine runs locally with its tasks bound to the real handlers, over the simulated organization, the real evidence service (signed files) and, where Slack is involved, the real notifier and Bolt app behind a fault-injecting proxy. Retry waits are replaced by 0 ms (the budgets\' attempts are all made, without their hour of waiting; see docs/reliability.md "Retries and faults"). "Remediated" counts cases whose key is gone, verified; "delayed" the executions among them that went through a retried or caught fault; "failed" the cases that closed as failed. "With evidence" counts executions whose account has a case with an `outcome` record; "verifies" is `EvidenceService.verify({ requireComplete: true })` over everything written. "Holds" is measured against the goal: all cases remediated for a fault that clears, failing as described for a fault beyond the retry budget — not against having evidence.',
  'bad-input':
    'Property-based fuzzing (fast-check, fixed seed): valid documents mutated (fields deleted, replaced by hostile JSON, nulled, wrapped, stringified) and arbitrary input. "Refused" means a typed error naming the problem (InvalidInputError / UsageError, exit 2, HTTP 4xx); "crashes" counts anything else.',
  forgery:
    'Against the real Bolt app over HTTP (`POST /slack/events`) and, for markup, every Web API call the app made. "Refused" counts HTTP 4xx answers (or a refusal told privately to the clicker); nothing may change: no case write, no evidence, no answer to the workflow, nothing posted.',
  'least-privilege':
    'Read from the templates `cdk synth` produces (both stacks, functions not bundled), IAM wildcards expanded.',
};

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function count(s: ScenarioResult, key: string): string {
  const value = s.counts[key];
  return value === undefined ? '–' : String(value);
}

function mark(s: ScenarioResult): string {
  return s.holds ? 'yes' : s.gap ? 'gap' : '**NO**';
}

function table(headers: string[], rows: string[][]): string[] {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ];
}

function sectionTable(section: ReliabilitySection, scenarios: ScenarioResult[]): string[] {
  switch (section) {
    case 'faults':
      return table(
        [
          'Scenario',
          'Injected',
          'Goal',
          'Cases started',
          'Remediated',
          'Delayed',
          'Failed',
          'Ended',
          'With evidence',
          'Evidence verifies',
          'Requests refused',
          'Outcome',
          'Holds',
        ],
        scenarios.map((s) => [
          s.title,
          s.injected,
          s.goal ?? '–',
          count(s, 'casesStarted'),
          count(s, 'remediated'),
          count(s, 'delayed'),
          count(s, 'failed'),
          count(s, 'casesEnded'),
          count(s, 'casesWithEvidence'),
          s.counts['evidenceVerifies'] === undefined ? '–' : s.counts['evidenceVerifies'] === 1 ? 'yes' : '**no**',
          s.counts['requestsRefused'] !== undefined ? count(s, 'requestsRefused') : count(s, 'clicksRefused'),
          s.outcome,
          mark(s),
        ]),
      );
    case 'bad-input':
      return table(
        ['Edge', 'Injected', 'Inputs', 'Refused', 'Outcome', 'Holds'],
        scenarios.map((s) => [s.title, s.injected, count(s, 'inputs'), count(s, 'refused'), s.outcome, mark(s)]),
      );
    case 'forgery':
      return table(
        ['Attempt', 'Injected', 'Requests', 'Refused', 'Outcome', 'Holds'],
        scenarios.map((s) => [
          s.title,
          s.injected,
          count(s, ['requests', 'cases', 'casesStarted'].find((k) => s.counts[k] !== undefined) ?? 'requests'),
          count(s, 'refused'),
          s.outcome,
          mark(s),
        ]),
      );
    case 'least-privilege':
      return table(
        ['Check', 'Over', 'Outcome', 'Holds'],
        scenarios.map((s) => [s.title, s.injected, s.outcome, mark(s)]),
      );
  }
}

/** RELIABILITY.md for a results document. */
export function renderReliabilityReport(results: ReliabilityResults): string {
  const all = results.files.flatMap((f) => f.scenarios);
  const holding = all.filter((s) => s.holds).length;
  const gaps = all.filter((s) => s.gap);
  const failing = all.filter((s) => !s.holds && !s.gap);
  const written = results.files.map((f) => Date.parse(f.writtenAt)).filter((t) => !Number.isNaN(t));
  const spreadMinutes = written.length ? (Math.max(...written) - Math.min(...written)) / 60_000 : 0;
  const missing = EXPECTED_SOURCES.filter((src) => !results.files.some((f) => f.source === src));
  const lines: string[] = [
    '# Reliability and security',
    '',
    '<!-- Generated by test/reliability/write-report.ts from test-results/reliability.json. Do not edit by hand. -->',
    '',
    'What the workflow does when production misbehaves: AWS throttles and fails, Lambda functions time',
    'out, centralized root access is switched off mid-case, keys come back, Slack goes down, people click',
    'late; when input is malformed or hostile; when requests are forged; and whether the deployed IAM',
    'lets anybody do more than they should. Every number below was counted by the test suite in its',
    'last run; none is typed by hand.',
    '',
    '**Re-run:** `npm test` (the suite writes `test-results/reliability.json`), then',
    '`npm run reliability:report` to render this file.',
    '',
    `**Last run:** ${results.files.length} test files, results written ${results.files
      .map((f) => f.writtenAt)
      .sort()
      .at(-1)} (${holding} of ${all.length} properties hold, ${gaps.length} known gaps, ${failing.length} failures).`,
  ];
  if (spreadMinutes > 60) {
    lines.push(
      '',
      `> Note: these results come from runs up to ${Math.round(spreadMinutes)} minutes apart (a file was re-run on its own).`,
    );
  }
  if (missing.length) lines.push('', `> Missing results (not run): ${missing.map((m) => `\`${m}\``).join(', ')}.`);
  for (const section of RELIABILITY_SECTIONS) {
    const scenarios = all.filter((s) => s.section === section);
    if (scenarios.length === 0) continue;
    lines.push(
      '',
      `## ${SECTION_TITLES[section]}`,
      '',
      SECTION_INTROS[section],
      '',
      ...sectionTable(section, scenarios),
    );
  }
  lines.push('', '## Known gaps', '');
  if (gaps.length === 0) lines.push('None measured in this run.');
  else lines.push(...gaps.map((s) => `- **${s.title}** (\`${s.id}\`): ${s.gap}`));
  if (failing.length) {
    lines.push('', '## Failing', '', ...failing.map((s) => `- **${s.title}** (\`${s.id}\`): ${s.outcome}`));
  }
  lines.push(
    '',
    '## Where the numbers come from',
    '',
    ...table(
      ['Test file', 'Scenarios', 'Duration', 'Written'],
      results.files.map((f) => [
        `\`${f.source}\``,
        String(f.scenarios.length),
        `${(f.durationMs / 1000).toFixed(1)} s`,
        f.writtenAt,
      ]),
    ),
    '',
  );
  return lines.join('\n');
}

if (require.main === module) {
  const input = process.argv[2] ?? RESULTS_FILE;
  const output = process.argv[3] ?? join(REPO_ROOT, 'RELIABILITY.md');
  if (!existsSync(input)) {
    process.stderr.write(`${input} does not exist: run \`npm test\` first (the reliability suite writes it).\n`);
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(input, 'utf8')) as ReliabilityResults;
  writeFileSync(output, renderReliabilityReport(results));
  process.stdout.write(`Wrote ${output} from ${input}\n`);
}
