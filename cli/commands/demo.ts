import { resolve } from 'node:path';
import type * as DemoModule from '../../sandbox/demo';
import { EXIT, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';

export const DEMO_HELP = `Usage: rootkey demo [--data-dir DIR] [--scenario FILE] [--json]

Runs the sandbox scenario headless to the end: the organization sweep finds the root keys, a
sandbox approver decides each case through signed Slack interactions (as the scenario's
demoDecision says, or deletion where it is automated and the guided runbook elsewhere), the
operator performs the runbook's console step in the simulated organization, and every case's
end state is compared with the scenario's "expect". Then the evidence is verified.

  --data-dir DIR   cases and evidence (default ./.rootkey; evidence under DIR/evidence/)
  --scenario FILE  simulated organization (default: the sandbox's default scenario)
  --json           print the summary as JSON

Exit 0 when every case ended as expected and the evidence verifies; 1 otherwise; 2 usage error.`;

export async function demoCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, {
    'data-dir': { type: 'string' },
    scenario: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${DEMO_HELP}\n`);
    return EXIT.ok;
  }
  // Loaded lazily (see cli/main.ts): `require` because the CLI runs as CommonJS through tsx.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runDemo } = require('../../sandbox/demo') as typeof DemoModule;
  const dataDir = resolve(values['data-dir'] ?? '.rootkey');
  const result = await runDemo({
    dataDir,
    scenarioPath: values.scenario,
    log: (line) => io.stderr.write(`  ${line}\n`),
  });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.ok ? EXIT.ok : EXIT.runtimeError;
  }
  const rows = result.cases.map((c) => [
    c.ok ? 'ok  ' : 'FAIL',
    c.accountId,
    c.accountName,
    c.decision ?? '-',
    c.status,
    c.expected ?? '-',
    c.evidenceHead ? `sha256:${c.evidenceHead.slice(0, 16)}…` : '-',
  ]);
  const header = ['', 'ACCOUNT', 'NAME', 'DECISION', 'ENDED AS', 'EXPECTED', 'EVIDENCE HEAD'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.stdout.write(
    [
      '',
      line(header),
      ...rows.map(line),
      ...result.cases.filter((c) => c.note).map((c) => `  ${c.accountId}: ${c.note}`),
      '',
      `Evidence: ${result.evidenceDir} — ${result.evidenceOk ? 'verified (hash chains and signatures intact)' : 'DOES NOT VERIFY'}`,
      ...result.evidenceProblems.map((p) => `  ${p}`),
      `Check it yourself: npx rootkey evidence verify ${dataDir}`,
      `Reports: ${result.evidenceDir}/reports/`,
      '',
      result.ok
        ? 'Demo finished: every case ended as the scenario expects.'
        : 'Demo FAILED: see the rows marked FAIL above.',
      '',
    ].join('\n'),
  );
  return result.ok ? EXIT.ok : EXIT.runtimeError;
}
