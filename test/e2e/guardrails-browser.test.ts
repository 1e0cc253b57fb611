import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/e2e/chromium';
import { startSandboxServer, type RunningSandbox } from '../../sandbox/sandbox-server';
import { expectEvidenceVerifiedByCli } from '../support/e2e/verify-evidence-cli';
import { step } from '../support/e2e/story-step';

/**
 * The whole loop in the sandbox, as a person walks it in the browser: remediate a member account's
 * root key, then "Prevent recurrence…" in the same thread (approvers only), and see what changed.
 */
jest.setTimeout(600_000);

const PAYMENTS = '333333333333';

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-e2e-guardrails-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: true, waitMs: 100 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(sandbox.url);
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

interface CaseView {
  caseId: string;
  accountId: string;
  status: string;
  guardrail?: { status: string; actions: string[] };
}

async function paymentsCase(): Promise<CaseView | undefined> {
  const res = await fetch(`${sandbox.url}/api/cases`);
  const body = (await res.json()) as { cases: CaseView[] };
  const latest = body.cases.filter((c) => c.accountId === PAYMENTS).at(-1);
  if (!latest) return undefined;
  // The detail answer carries the whole case (the prevention offer included), never the task token.
  const detail = await fetch(`${sandbox.url}/api/cases/${encodeURIComponent(latest.caseId)}`);
  return (await detail.json()) as CaseView;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const preventButton = () => page.locator('[data-testid=reply] button', { hasText: 'Prevent recurrence' });

it('remediate, then prevent recurrence: the offer, the outsider refused, an approver applies it, verifiable evidence', async () => {
  await step('offers "Prevent recurrence…" in the thread once the member account\'s key is deleted', async () => {
    const request = page
      .locator('[data-testid=message]', { hasText: 'Root user access key found' })
      .filter({ hasText: PAYMENTS });
    await request.waitFor({ timeout: 30_000 });
    await actAs('alice');
    await request.getByRole('button', { name: 'Delete the key' }).click();
    await page.locator('[data-testid=confirm-yes]').click();
    await until(async () => (await paymentsCase())?.status === 'remediated', 'the case to be remediated');

    await preventButton().waitFor({ timeout: 30_000 });
    expect((await paymentsCase())?.guardrail?.status).toBe('offered');
  });

  await step('refuses the outsider with an ephemeral answer and changes nothing', async () => {
    await actAs('mallory');
    await preventButton().click();
    await page.locator('[data-testid=confirm-yes]').click();
    await page.locator('.msg.ephemeral', { hasText: 'Only approvers' }).waitFor({ timeout: 15_000 });
    expect((await paymentsCase())?.guardrail?.status).toBe('offered');
  });

  await step('lets an approver prevent recurrence and shows what changed', async () => {
    await actAs('bob');
    await preventButton().click();
    await page.locator('[data-testid=confirm-yes]').click();
    await page.locator('[data-testid=reply]', { hasText: 'Recurrence prevented' }).first().waitFor({ timeout: 30_000 });
    const text = await page.locator('[data-testid=reply]', { hasText: 'Recurrence prevented' }).first().innerText();
    expect(text).toContain('rootkey-deny-root-access-keys');
    expect((await paymentsCase())?.guardrail?.status).toBe('applied');
  });

  await step('leaves evidence, guardrail records included, that `rootkey evidence verify` accepts', async () => {
    await expectEvidenceVerifiedByCli(dataDir);
  });
});
