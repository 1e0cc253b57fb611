import {
  buildRunbook,
  chooseRunbookVariant,
  genericRunbooks,
  runbookForCase,
  RUNBOOK_VARIANTS,
  type Runbook,
  type RunbookStep,
} from '../../../functions/core/runbook';
import { renderRunbookMarkdown } from '../../../functions/core/runbook-markdown';
import { decideRemovalPaths } from '../../../functions/core/removal-paths';
import { openCase, type Case } from '../../../functions/core/case';
import { decidePosture } from '../../../functions/core/account-posture';
import type { Account } from '../../../functions/core/account';
import type { RootKey } from '../../../functions/core/root-key';
import { InvalidInputError } from '../../../functions/core/errors';

const now = new Date('2026-11-28T10:00:00Z');
const member: Account = { id: '333333333333', name: 'payments-prod', isManagement: false };
const management: Account = { id: '111111111111', name: 'management', isManagement: true };
const standalone: Account = { id: '555555555555', name: 'lonely', isManagement: false, isStandalone: true };
const on = { rootCredentialsManagement: true, rootSessions: true };
const off = { rootCredentialsManagement: false, rootSessions: false };

const recentKey: RootKey = {
  id: 'AKIAPAYMENTSROOT0042',
  maskedId: 'AKIA************0042',
  status: 'Active',
  createdAt: '2020-11-02T08:00:00Z',
  lastUsed: { date: '2026-11-20T06:15:00Z', service: 'ec2', region: 'eu-west-1' },
};
const oldInactiveKey: RootKey = {
  maskedId: 'AKIA************0001',
  status: 'Inactive',
  createdAt: '2019-03-14T09:12:00Z',
  lastUsed: { date: '2021-07-02T17:40:00Z', service: 's3', region: 'us-east-1' },
};

/** Every piece of text a person reads in a runbook. */
function allText(runbook: Runbook): string[] {
  const stepText = (s: RunbookStep) => [s.title, ...s.instructions, s.cli ?? '', s.warning ?? '', s.check ?? ''];
  return [runbook.title, ...runbook.steps.flatMap(stepText), ...runbook.afterwards];
}

function everyRunbook(): Runbook[] {
  const accounts: [Account, typeof on][] = [
    [member, on],
    [member, off],
    [management, on],
    [standalone, off],
  ];
  const specific = accounts.flatMap(([account, features]) => {
    const removalPaths = decideRemovalPaths(account, features);
    return RUNBOOK_VARIANTS.filter((v) => removalPaths.includes(v)).map((variant) =>
      buildRunbook({ account, removalPaths, keys: [recentKey, oldInactiveKey], now, variant }),
    );
  });
  return [...specific, ...genericRunbooks(now)];
}

describe('runbook variant choice', () => {
  it('uses the privileged action for a member account reached by centralized root access', () => {
    const variant = chooseRunbookVariant({ removalPaths: decideRemovalPaths(member, on) });
    expect(variant).toBe('console-privileged-action');
  });

  it('needs a root sign-in for the management account even when centralized root access is on', () => {
    const variant = chooseRunbookVariant({ removalPaths: decideRemovalPaths(management, on) });
    expect(variant).toBe('root-sign-in');
  });

  it('starts with password recovery when nobody knows the root password', () => {
    const variant = chooseRunbookVariant({
      removalPaths: decideRemovalPaths(standalone, off),
      rootPasswordKnown: false,
    });
    expect(variant).toBe('password-recovery');
  });

  it('honours an explicit variant the account allows', () => {
    const variant = chooseRunbookVariant({ removalPaths: decideRemovalPaths(member, on), variant: 'root-sign-in' });
    expect(variant).toBe('root-sign-in');
  });

  it('refuses the privileged action for an account centralized root access cannot reach', () => {
    expect(() =>
      chooseRunbookVariant({ removalPaths: decideRemovalPaths(management, on), variant: 'console-privileged-action' }),
    ).toThrow(InvalidInputError);
  });
});

describe('buildRunbook', () => {
  it('walks a management account through root sign-in, the account menu and Security credentials', () => {
    const runbook = buildRunbook({
      account: management,
      removalPaths: decideRemovalPaths(management, on),
      keys: [oldInactiveKey],
      now,
    });
    expect(runbook.variant).toBe('root-sign-in');
    expect(runbook.steps.map((s) => s.id)).toEqual([
      'prepare',
      'sign-in-as-root',
      'open-security-credentials',
      'deactivate-keys',
      'watch-for-breakage',
      'delete-keys',
      'verify',
    ]);
    const credentials = runbook.steps.find((s) => s.id === 'open-security-credentials');
    expect(credentials?.instructions.join(' ')).toMatch(
      /account menu at the top right.*account name.*Security credentials/,
    );
  });

  it('puts password recovery before the sign-in steps', () => {
    const runbook = buildRunbook({
      account: standalone,
      removalPaths: decideRemovalPaths(standalone, off),
      keys: [recentKey],
      rootPasswordKnown: false,
      now,
    });
    expect(runbook.steps.map((s) => s.id).slice(0, 3)).toEqual(['prepare', 'recover-password', 'sign-in-as-root']);
    expect(runbook.steps.find((s) => s.id === 'sign-in-as-root')?.instructions.join(' ')).not.toContain(
      'use the password-recovery variant',
    );
  });

  it('gives the privileged action with the AssumeRoot delete CLI and no deactivation step', () => {
    const runbook = buildRunbook({
      account: member,
      removalPaths: decideRemovalPaths(member, on),
      keys: [recentKey],
      now,
    });
    expect(runbook.variant).toBe('console-privileged-action');
    expect(runbook.steps.map((s) => s.id)).toEqual([
      'prepare',
      'open-root-access-management',
      'delete-root-credentials',
      'verify',
    ]);
    const del = runbook.steps.find((s) => s.id === 'delete-root-credentials');
    expect(del?.instructions.join(' ')).toContain('Take privileged action');
    expect(del?.cli).toContain(
      'aws sts assume-root --region <region> --target-principal 333333333333 --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials --duration-seconds 900',
    );
    expect(del?.cli).toContain('aws iam delete-access-key --access-key-id');
    expect(del?.cli).toContain('aws iam list-access-keys');
  });

  it('warns that the privileged action cannot deactivate a recently used key and points to root sign-in', () => {
    const runbook = buildRunbook({
      account: member,
      removalPaths: decideRemovalPaths(member, on),
      keys: [recentKey],
      now,
    });
    const prepare = runbook.steps.find((s) => s.id === 'prepare');
    expect(prepare?.warning).toContain('AKIA************0042 was used 8 days ago (ec2 in eu-west-1)');
    expect(prepare?.warning).toContain('cannot be deactivated first');
    expect(prepare?.warning).toContain('rootkey runbook --account 333333333333 --variant root-sign-in');
  });

  it('warns to deactivate first on the sign-in path when the key was used recently', () => {
    const runbook = buildRunbook({
      account: management,
      removalPaths: decideRemovalPaths(management, on),
      keys: [recentKey],
      now,
    });
    const deactivate = runbook.steps.find((s) => s.id === 'deactivate-keys');
    expect(deactivate?.warning).toContain('Deactivate it first and watch for breakage');
    expect(runbook.steps.find((s) => s.id === 'watch-for-breakage')?.instructions[0]).toContain('24 hours');
  });

  it('gives no deactivation warning for a key unused for years', () => {
    const runbook = buildRunbook({
      account: management,
      removalPaths: decideRemovalPaths(management, on),
      keys: [oldInactiveKey],
      now,
    });
    expect(runbook.steps.find((s) => s.id === 'deactivate-keys')?.warning).toBeUndefined();
    expect(runbook.steps.find((s) => s.id === 'deactivate-keys')?.instructions.join(' ')).toContain('already Inactive');
  });

  it('shows keys masked only, never the full access key id', () => {
    const texts = everyRunbook().flatMap(allText);
    expect(texts.join('\n')).not.toContain(recentKey.id);
    expect(texts.join('\n')).toContain(recentKey.maskedId);
  });

  it('verifies a management account through a read-only role, since AssumeRoot cannot target it', () => {
    const runbook = buildRunbook({
      account: management,
      removalPaths: decideRemovalPaths(management, on),
      keys: [oldInactiveKey],
      now,
    });
    const verify = runbook.steps.find((s) => s.id === 'verify');
    expect(verify?.cli).toContain('aws iam get-account-summary');
    expect(verify?.cli).not.toContain('assume-root');
    expect(verify?.check).toContain('AccountAccessKeysPresent is 0');
  });

  it('refers to the first step for keys the credential report could not name', () => {
    const unnamed: RootKey = { maskedId: 'key 1 (id not in the credential report)', status: 'Active' };
    const runbook = buildRunbook({
      account: management,
      removalPaths: decideRemovalPaths(management, on),
      keys: [unnamed],
      now,
    });
    expect(runbook.steps.find((s) => s.id === 'open-security-credentials')?.check).toBe(
      'The Access keys section lists the root access key(s) listed in the first step.',
    );
  });

  it('says what to check afterwards', () => {
    const runbook = buildRunbook({
      account: member,
      removalPaths: decideRemovalPaths(member, on),
      keys: [recentKey],
      now,
    });
    expect(runbook.afterwards.join(' ')).toContain('RESOLVED');
    expect(runbook.afterwards.join(' ')).toContain('credential report');
  });

  it('never sends anyone to the IAM console identity lists to find the root user', () => {
    // The root user is not an IAM user: a step pointing at IAM → Users is the classic wrong advice.
    for (const runbook of everyRunbook()) {
      for (const text of allText(runbook)) {
        expect(text).not.toMatch(/IAM\s*(→|->|>|»|\/)\s*Users/i);
        expect(text).not.toMatch(/\bUsers\b/);
        expect(text).not.toMatch(/users page/i);
      }
    }
  });
});

describe('runbookForCase', () => {
  function caseFor(account: Account, features: typeof on, keys: RootKey[]): Case {
    const posture = decidePosture(
      account,
      {
        accountId: account.id,
        method: 'assume-root-audit',
        signals: { accountAccessKeysPresent: keys.length, listedKeys: keys },
        readAt: now.toISOString(),
      },
      features,
    );
    return openCase({
      posture,
      trigger: { source: 'manual', accountId: account.id, detectedAt: now.toISOString() },
      requiredApprovals: 1,
      now,
    });
  }

  it('uses the variant the workflow stored on the case', () => {
    const c = { ...caseFor(member, on, [recentKey]), runbook: { variant: 'root-sign-in', completed: [] } };
    expect(runbookForCase(c, now).variant).toBe('root-sign-in');
  });

  it('chooses the fitting variant when the case has none yet', () => {
    const runbook = runbookForCase(caseFor(member, on, [recentKey]), now);
    expect(runbook.variant).toBe('console-privileged-action');
    expect(runbook.accountId).toBe('333333333333');
    expect(runbook.accountName).toBe('payments-prod');
  });

  it('refuses an unknown stored variant', () => {
    const c = { ...caseFor(member, on, [recentKey]), runbook: { variant: 'iam-console', completed: [] } };
    expect(() => runbookForCase(c, now)).toThrow(InvalidInputError);
  });
});

describe('generic runbooks and Markdown', () => {
  it('covers every variant with placeholders when no account is given', () => {
    const runbooks = genericRunbooks(now);
    expect(runbooks.map((r) => r.variant)).toEqual(['console-privileged-action', 'root-sign-in', 'password-recovery']);
    expect(runbooks[0]?.steps.find((s) => s.id === 'delete-root-credentials')?.cli).toContain(
      '--target-principal ACCOUNT_ID',
    );
  });

  it('renders numbered steps, warnings, CLI blocks and checks', () => {
    const runbook = buildRunbook({
      account: member,
      removalPaths: decideRemovalPaths(member, on),
      keys: [recentKey],
      now,
    });
    const md = renderRunbookMarkdown(runbook);
    expect(md).toMatch(/^# Remove the root access key of payments-prod \(333333333333\)/);
    expect(md).toContain(
      '## 3. Take the privileged action: delete the root user credentials `delete-root-credentials`',
    );
    expect(md).toContain('> **Warning:**');
    expect(md).toContain('```sh\naws sts assume-root');
    expect(md).toContain(
      '   - AKIA************0042: Active, created 2020-11-02, last used 2026-11-20 (8 days ago, ec2 in eu-west-1)',
    );
    expect(md).toContain('## Afterwards');
  });
});
