import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxServer, type RunningSandbox } from '../../../sandbox/sandbox-server';

/**
 * `npm start`'s sweep as the page shows it: one summary message in the channel with the counts of
 * the default scenario (four accounts, two with a root key), next to the two approval requests.
 */
jest.setTimeout(60_000);

let sandbox: RunningSandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-sweep-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: true, waitMs: 100 });
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('shows one sweep summary in the channel, with the counts of what the sweep found', async () => {
  const workspace = sandbox.runtime.workspace!;
  const summaries = () => workspace.messages.filter((m) => m.text.includes('Organization sweep'));
  const deadline = Date.now() + 30_000;
  while (summaries().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Give a second summary (there must be none) a moment to appear.
  await new Promise((r) => setTimeout(r, 500));

  expect(summaries()).toHaveLength(1);
  const [summary] = summaries();
  expect(summary!.threadTs).toBeUndefined();
  expect(summary!.text).toContain('4 accounts checked');
  expect(summary!.text).toContain('Compliant (no root access key): 2');
  expect(summary!.text).toContain('Cases opened: 2');
  expect(summary!.text).toContain('Errors (account not read, failure evidence recorded): 0');
  expect(summary!.text).not.toContain('Not reported');
  // Top-level messages: the summary and one approval request per key found, nothing per compliant account.
  // The summary counts a case once it is opened, so it may be posted before the approval requests are.
  const topLevel = () => workspace.messages.filter((m) => !m.threadTs && !m.visibleTo);
  const requested = Date.now() + 30_000;
  while (topLevel().length < 3 && Date.now() < requested) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500)); // and no fourth
  expect(topLevel()).toHaveLength(3);
});
