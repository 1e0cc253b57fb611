import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { AccessDeniedError } from '../../../functions/core/errors';
import { systemClock } from '../../../functions/ports/clock';
import type { ApproverDirectory } from '../../../functions/ports/approver-directory';
import type { EvidenceService } from '../../../functions/services/evidence-service';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { offerPrevention, votePrevention, type PreventionDeps } from '../../../functions/services/prevent-recurrence';
import { caseFixture } from '../../support/workflow/case-fixture';

const OU = 'ou-sim0-workload1';
const approvers = (ids: string[]): ApproverDirectory => ({
  approverIds: async () => new Set(ids),
  describe: () => ids.join(', '),
});

function world(options: { requiredApprovals?: number; readOnlyCaller?: boolean; withRemover?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-prevent-'));
  const sim = new SimulatedOrganization(
    parseScenario({
      accounts: [
        { id: '111111111111', name: 'management', management: true },
        { id: '333333333333', name: 'payments-prod', parent: OU },
        { id: '444444444444', name: 'logging', parent: OU },
        { id: '555555555555', name: 'sandbox' },
      ],
      organization: {
        rootId: 'r-sim0',
        ous: [{ id: OU, name: 'Workloads' }],
        readOnlyCaller: options.readOnlyCaller ?? false,
      },
    }),
    { sleep: async () => undefined },
  );
  const remediated = caseFixture({ status: 'remediated', requiredApprovals: options.requiredApprovals ?? 1 });
  const cases = new MemoryCaseStore([remediated]);
  const evidence: EvidenceService = createLocalEvidence(dataDir);
  const deps: PreventionDeps = {
    cases,
    evidence,
    clock: systemClock,
    organization: sim,
    reader: sim,
    policies: sim,
    ...(options.withRemover === false ? {} : { credentialsRemover: sim }),
  };
  return {
    sim,
    cases,
    evidence,
    deps,
    caseId: remediated.caseId,
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

describe('prevent recurrence after a remediated case', () => {
  it("offers attaching the SCP to the account's OU and deleting the remaining root credentials, with guardrail evidence", async () => {
    const w = world();
    try {
      const offered = await offerPrevention(w.deps, w.caseId);

      expect(offered?.guardrail).toMatchObject({
        status: 'offered',
        actions: ['attach-scp', 'delete-root-credentials'],
        targetId: OU,
        newlyCovered: ['333333333333', '444444444444'],
      });
      const records = await w.evidence.readCase(w.caseId);
      expect(records.at(-1)).toMatchObject({ type: 'guardrail', data: { event: 'offered', targetId: OU } });
    } finally {
      w.dispose();
    }
  });

  it('offers nothing for a case that did not end remediated, or when the account is covered and clean', async () => {
    const w = world({ withRemover: false });
    try {
      const before = await w.cases.get(w.caseId);
      await w.cases.update(w.caseId, before.version, (c) => ({ ...c, status: 'risk-accepted' }));
      expect(await offerPrevention(w.deps, w.caseId)).toBeUndefined();

      const covered = world({ withRemover: false });
      const { policyId } = await covered.sim.createPolicy({
        Name: 'x',
        Description: 'x',
        Content: '{"Statement":{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}}',
        Tags: [],
      });
      await covered.sim.attachPolicy(policyId, 'r-sim0');
      expect(await offerPrevention(covered.deps, covered.caseId)).toBeUndefined();
      covered.dispose();
    } finally {
      w.dispose();
    }
  });

  it('refuses a click from someone who is not an approver, changing nothing', async () => {
    const w = world();
    try {
      await offerPrevention(w.deps, w.caseId);

      const result = await votePrevention(w.deps, approvers(['U0APPROVER']), {
        caseId: w.caseId,
        userId: 'U0INTRUDER',
      });

      expect(result).toMatchObject({ status: 'refused', refusal: 'not-approver' });
      expect(w.sim.calls['organizations:CreatePolicy']).toBeUndefined();
      expect((await w.cases.get(w.caseId)).guardrail?.votes).toEqual([]);
    } finally {
      w.dispose();
    }
  });

  it('applies once two distinct approvers agreed (four-eyes): the SCP is attached, credentials deleted, evidence recorded', async () => {
    const w = world({ requiredApprovals: 2 });
    try {
      await offerPrevention(w.deps, w.caseId);
      const dir = approvers(['U0ALICE', 'U0BOB']);

      const first = await votePrevention(w.deps, dir, { caseId: w.caseId, userId: 'U0ALICE' });
      const again = await votePrevention(w.deps, dir, { caseId: w.caseId, userId: 'U0ALICE' });
      expect(first).toMatchObject({ status: 'recorded', agreeing: 1, required: 2 });
      expect(again).toMatchObject({ status: 'refused', refusal: 'duplicate-vote' });
      expect(w.sim.calls['organizations:AttachPolicy']).toBeUndefined();

      const second = await votePrevention(w.deps, dir, { caseId: w.caseId, userId: 'U0BOB' });

      expect(second.status).toBe('applied');
      expect(second.case.guardrail?.result?.join('\n')).toMatch(
        /attached SCP rootkey-deny-root-access-keys .* to ou-sim0-workload1/i,
      );
      expect(() => w.sim.createRootKey('333333333333')).toThrow(AccessDeniedError);
      expect(w.sim.createRootKey('555555555555')).toMatch(/^AKIA/); // outside the OU: unchanged
      const records = await w.evidence.readCase(w.caseId);
      const applied = records.filter((r) => r.type === 'guardrail').map((r) => r.data.event);
      expect(applied).toEqual(['offered', 'vote-recorded', 'approved', 'applied']);
      const reading = await w.sim.read(await w.sim.getAccount('333333333333'), {
        useAssumeRoot: true,
        includeRootCredentials: true,
      });
      expect(reading.signals.rootCredentials).toEqual({ password: false, mfaDevices: 0, signingCertificates: 0 });
      const late = await votePrevention(w.deps, dir, { caseId: w.caseId, userId: 'U0BOB' });
      expect(late).toMatchObject({ status: 'refused', refusal: 'already-decided' });
    } finally {
      w.dispose();
    }
  });

  it('records a failure (the caller cannot manage policies) without changing how the case ended', async () => {
    const w = world({ readOnlyCaller: true, withRemover: false });
    try {
      await offerPrevention(w.deps, w.caseId);

      const result = await votePrevention(w.deps, approvers(['U0ALICE']), { caseId: w.caseId, userId: 'U0ALICE' });

      expect(result.status).toBe('failed');
      expect(result.case.status).toBe('remediated');
      expect(result.case.guardrail?.result?.at(-1)).toContain('organizations:CreatePolicy');
      const last = (await w.evidence.readCase(w.caseId)).at(-1);
      expect(last).toMatchObject({ type: 'guardrail', data: { event: 'failed' } });
    } finally {
      w.dispose();
    }
  });
});
