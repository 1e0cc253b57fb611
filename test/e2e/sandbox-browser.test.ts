import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandboxServer, type RunningSandbox } from '../../sandbox/sandbox-server';
import { main } from '../../cli/main';

/**
 * The sandbox as a person meets it: Debian's Chromium driven by playwright-core against the real
 * sandbox server (synthesized state machine, real Bolt app, Slack stand-in page).
 */
jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PAYMENTS = '333333333333';
const MANAGEMENT = '111111111111';

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-e2e-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: true, waitMs: 100 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(sandbox.url);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function actAs(name: 'alice' | 'bob' | 'mallory'): Promise<void> {
  const option = page.locator('[data-testid=user-picker] option', { hasText: `@${name}` });
  await page.selectOption('[data-testid=user-picker]', (await option.getAttribute('value')) ?? '');
}

function approvalMessage(accountId: string) {
  return page
    .locator('[data-testid=message]', { hasText: 'Root user access key found' })
    .filter({ hasText: accountId });
}

async function caseStatus(accountId: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/cases`);
  const body = (await res.json()) as { cases: { accountId: string; status: string }[] };
  const mine = body.cases.filter((c) => c.accountId === accountId);
  return mine[mine.length - 1]?.status ?? 'none';
}

async function waitForStatus(accountId: string, status: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await caseStatus(accountId)) === status) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Case of ${accountId} did not reach ${status} (now ${await caseStatus(accountId)})`);
}

it('shows approval requests for both accounts with root keys once the sweep has run', async () => {
  // Prepare / Act: the sweep started with the sandbox.
  await expect(approvalMessage(PAYMENTS).waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
  await approvalMessage(MANAGEMENT).waitFor({ timeout: 30_000 });
  // Assess: automated deletion is offered only where AssumeRoot can do it.
  await expect(approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).count()).resolves.toBe(1);
  await expect(approvalMessage(MANAGEMENT).getByRole('button', { name: 'Delete the key' }).count()).resolves.toBe(0);
});

it('refuses the outsider: an ephemeral answer, and the case keeps waiting', async () => {
  await actAs('mallory');
  await approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).click();
  await page.locator('[data-testid=confirm-yes]').click();
  await page.locator('.msg.ephemeral', { hasText: 'not an approver' }).waitFor({ timeout: 15_000 });
  expect(await caseStatus(PAYMENTS)).toBe('awaiting-approval');
});

it('lets an approver delete the key, then shows the decision and the verified outcome', async () => {
  await actAs('alice');
  await approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).click();
  await page.locator('[data-testid=confirm-yes]').click();
  await waitForStatus(PAYMENTS, 'remediated');
  // The buttons are gone from the request once decided.
  // The page polls: wait for it to show the decided message, whose buttons are gone.
  await approvalMessage(PAYMENTS).getByRole('button').first().waitFor({ state: 'detached', timeout: 15_000 });
  await page
    .locator('[data-case-id][data-status=remediated]', { hasText: 'payments-prod' })
    .waitFor({ timeout: 15_000 });
});

it('walks the management account through the guided runbook until verification passes', async () => {
  await actAs('bob');
  await approvalMessage(MANAGEMENT).getByRole('button', { name: 'Guide me through manual removal' }).click();
  await waitForStatus(MANAGEMENT, 'runbook');
  for (let step = 0; step < 20 && (await caseStatus(MANAGEMENT)) === 'runbook'; step++) {
    const card = page.locator('[data-testid=case]', { hasText: 'management' });
    const operator = card.locator('[data-testid=operator-remove]');
    const current = page.locator('[data-testid=reply] button', { hasText: /^Step done/ }).last();
    // The next step's button, unless the last confirmation already moved the case on to verification.
    const until = Date.now() + 30_000;
    while ((await current.count()) === 0 && (await caseStatus(MANAGEMENT)) === 'runbook' && Date.now() < until) {
      await page.waitForTimeout(200);
    }
    if ((await current.count()) === 0) break;
    const text = (await current.locator('xpath=ancestor::div[@data-testid="reply"]').innerText()).toLowerCase();
    if (text.includes('delete') && (await operator.count()) > 0) await operator.click();
    const before = await page.locator('[data-testid=reply] button', { hasText: /^Step done/ }).count();
    await current.click();
    await page
      .waitForFunction(([n]) => document.querySelectorAll('[data-testid=reply] button').length !== n, [before], {
        timeout: 15_000,
      })
      .catch(() => undefined);
  }
  await waitForStatus(MANAGEMENT, 'remediated');
});

it('draws the path the execution took and opens the evidence report', async () => {
  await page.locator('[data-testid=case]', { hasText: 'payments-prod' }).click();
  await page.locator('[data-testid=diagram-svg] [data-visited=true]').first().waitFor({ timeout: 15_000 });
  await expect(page.locator('[data-testid=path-text]').innerText()).resolves.toContain('→');
  const link = page.locator('[data-testid=case]', { hasText: 'payments-prod' }).locator('[data-testid=report-link]');
  await link.waitFor({ timeout: 15_000 });
  const [report] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await report.waitForLoadState();
  await expect(report.content()).resolves.toContain(PAYMENTS);
  await expect(report.locator('body').innerText()).resolves.toMatch(/remediated/i);
});

it('leaves evidence that `rootkey evidence verify` accepts', async () => {
  const out: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) }, env: {} };
  const code = await main(['evidence', 'verify', dataDir], io);
  expect(out.join('')).toContain('INTACT');
  expect(code).toBe(0);
});
