import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';

/** Least privilege of "Prevent recurrence…" in the synthesized central stack (issue 17). */

jest.setTimeout(120_000);
let resources: Record<string, TemplateJson>;

beforeAll(() => {
  resources = synthesizeApp({ 'rootkey:nag': false }).centralTemplate.toJSON().Resources;
}, 120_000);

/** The Allow statements of the policies attached to roles whose logical id starts with `prefix`. */
function statementsOf(prefix: string): TemplateJson[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(prefix)))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as TemplateJson[]);
}
const actions = (s: TemplateJson): string[] => [s.Action].flat();

describe('Prevent recurrence permissions', () => {
  it('gives Organizations writes to the apply function only, scoped to the tagged rootkey SCP', () => {
    const writers = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) =>
        (r.Properties.PolicyDocument.Statement as TemplateJson[]).some((s) =>
          actions(s).some((a) => /^organizations:(CreatePolicy|AttachPolicy|TagResource)$/.test(a)),
        ),
      )
      .map((r) => (r.Properties.Roles as { Ref: string }[]).map((role) => role.Ref).join());
    expect(writers).toHaveLength(1);
    expect(writers[0]).toMatch(/^ApplyPreventionRole/);
    const attach = statementsOf('ApplyPreventionRole').find((s) => s.Sid === 'AttachOnlyTheRootkeyScp');
    expect(attach.Condition).toEqual({
      StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY', 'aws:ResourceTag/rootkey:managed': 'true' },
    });
    const create = statementsOf('ApplyPreventionRole').find((s) => s.Sid === 'CreateTheRootkeyScpOnly');
    expect(create.Condition['ForAllValues:StringEquals']).toEqual({ 'aws:TagKeys': ['rootkey:managed'] });
  });

  it('lets the Slack function and record-outcome only start the Prevention state machine, never touch Organizations', () => {
    for (const prefix of ['SlackAppRole', 'TasksRecordOutcomeRole']) {
      const all = statementsOf(prefix);
      expect(all.flatMap(actions).filter((a) => a.startsWith('organizations:'))).toEqual([]);
      const starts = all.filter((s) => actions(s).includes('states:StartExecution'));
      expect(JSON.stringify(starts)).toContain('PreventionStateMachine');
    }
  });
});
