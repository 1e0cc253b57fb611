import { SimulatedOrganization } from '../../../../functions/adapters/sim/simulated-organization';
import { parseScenario } from '../../../../functions/adapters/sim/scenario';
import { AccessDeniedError, GuardrailRefusedError, InvalidInputError } from '../../../../functions/core/errors';
import { ROOTKEY_SCP_CONTENT, ROOTKEY_SCP_DESCRIPTION, ROOTKEY_SCP_NAME } from '../../../../functions/core/guardrails';

const OU = 'ou-sim0-workload1';

function sim(organization: Record<string, unknown> = {}) {
  return new SimulatedOrganization(
    parseScenario({
      features: { rootCredentialsManagement: true, rootSessions: true },
      accounts: [
        { id: '111111111111', name: 'management', management: true },
        { id: '333333333333', name: 'payments-prod', parent: OU },
        {
          id: '444444444444',
          name: 'logging',
          rootCredentials: { password: false, mfaDevices: 0, signingCertificates: 1 },
        },
      ],
      organization: { rootId: 'r-sim0', ous: [{ id: OU, name: 'Workloads' }], ...organization },
    }),
    { sleep: async () => undefined },
  );
}

const create = {
  Name: ROOTKEY_SCP_NAME,
  Description: ROOTKEY_SCP_DESCRIPTION,
  Content: ROOTKEY_SCP_CONTENT,
  Tags: [{ Key: 'rootkey:managed', Value: 'true' }],
};

describe('SimulatedOrganization: service control policies and root credentials', () => {
  it('attaches FullAWSAccess to the root, every OU and every account, as AWS does when SCPs are enabled', async () => {
    const snapshot = await sim().policySnapshot();

    expect(snapshot.scpsEnabled).toBe(true);
    expect(snapshot.attachments['r-sim0']).toEqual(['p-FullAWSAccess']);
    expect(snapshot.attachments[OU]).toEqual(['p-FullAWSAccess']);
    expect(snapshot.accounts.find((a) => a.id === '333333333333')?.parentId).toBe(OU);
  });

  it('lets a member root user create a key until the policy is attached, then denies it (never the management account)', async () => {
    const org = sim();
    org.createRootKey('444444444444');

    const { policyId } = await org.createPolicy(create);
    await org.attachPolicy(policyId, 'r-sim0');

    expect(() => org.createRootKey('333333333333')).toThrow(AccessDeniedError);
    expect(() => org.createRootKey('333333333333')).toThrow(
      /explicit deny in service control policy rootkey-deny-root-access-keys/,
    );
    expect(org.createRootKey('111111111111')).toMatch(/^AKIA/);
    expect(org.calls['organizations:CreatePolicy']).toBe(1);
    expect(org.calls['organizations:AttachPolicy']).toBe(1);
  });

  it('lets the key be created again after the rollback (detaching the policy)', async () => {
    const org = sim();
    const { policyId } = await org.createPolicy(create);
    await org.attachPolicy(policyId, OU);
    org.detachPolicy(policyId, OU);

    expect(org.createRootKey('333333333333')).toMatch(/^AKIA/);
  });

  it('refuses like Organizations: SCPs disabled, quota reached, a caller that may only read, an unknown target', async () => {
    await expect(sim({ scpsEnabled: false }).createPolicy(create)).rejects.toMatchObject({ refusal: 'scps-disabled' });
    await expect(sim({ maxScps: 1 }).createPolicy(create)).rejects.toBeInstanceOf(GuardrailRefusedError);
    await expect(sim({ readOnlyCaller: true }).createPolicy(create)).rejects.toMatchObject({
      permission: 'organizations:CreatePolicy',
    });
    const org = sim();
    const { policyId } = await org.createPolicy(create);
    await expect(org.attachPolicy(policyId, 'ou-sim0-missing01')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('reads root credentials only in the AssumeRoot audit session, counting the three calls', async () => {
    const org = sim();
    const member = await org.getAccount('444444444444');

    const reading = await org.read(member, { useAssumeRoot: true, includeRootCredentials: true });

    expect(reading.signals.rootCredentials).toEqual({ password: false, mfaDevices: 0, signingCertificates: 1 });
    expect(org.calls['iam:GetLoginProfile']).toBe(1);
    expect(org.calls['iam:ListMFADevices']).toBe(1);
    expect(org.calls['iam:ListSigningCertificates']).toBe(1);
    const management = await org.read(await org.getAccount('111111111111'), {
      useAssumeRoot: true,
      roleName: 'R',
      includeRootCredentials: true,
    });
    expect(management.signals.rootCredentials).toBeUndefined();
  });

  it('deletes the remaining root credentials of a member account through AssumeRoot', async () => {
    const org = sim();

    const result = await org.deleteRootCredentials('333333333333');

    expect(result.deleted).toEqual({ password: true, mfaDevices: 1, signingCertificates: 0 });
    const reading = await org.read(await org.getAccount('333333333333'), {
      useAssumeRoot: true,
      includeRootCredentials: true,
    });
    expect(reading.signals.rootCredentials).toEqual({ password: false, mfaDevices: 0, signingCertificates: 0 });
  });

  it('rejects a scenario whose account sits under an OU that does not exist', () => {
    expect(
      () =>
        new SimulatedOrganization(
          parseScenario({
            accounts: [{ id: '111111111111', name: 'm', management: true, parent: 'ou-sim0-missing01' }],
          }),
        ),
    ).toThrow(InvalidInputError);
  });
});
