import { DEFAULT_CONFIG, placeholdersIn, readConfig } from '../../../infra/config';
import { InvalidInputError } from '../../../functions/core/errors';

function contextOf(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

describe('the deployment configuration', () => {
  it('synthesizes offline with defaults when no context is given, and says which are placeholders', () => {
    const config = readConfig(() => undefined);

    expect(config).toEqual(DEFAULT_CONFIG);
    expect(placeholdersIn(config)).toEqual([
      'rootkey:orgId',
      'rootkey:managementAccountId',
      'rootkey:centralAccountId',
      'rootkey:slackChannel',
      'rootkey:approvers',
    ]);
  });

  it('reads rootkey:* context, with comma-separated approvers and numbers given as strings', () => {
    const config = readConfig(
      contextOf({
        'rootkey:orgId': 'o-a1b2c3d4e5',
        'rootkey:approvers': 'U0123456789, U0987654321',
        'rootkey:requiredApprovals': '2',
        'rootkey:approverGroup': 'S0123456789',
        'rootkey:nag': 'false',
      }),
    );

    expect(config).toMatchObject({
      orgId: 'o-a1b2c3d4e5',
      approvers: ['U0123456789', 'U0987654321'],
      requiredApprovals: 2,
      approverGroup: 'S0123456789',
      nag: false,
    });
    expect(placeholdersIn(config)).not.toContain('rootkey:orgId');
  });

  it('names every bad key and what it should look like', () => {
    const read = () =>
      readConfig(
        contextOf({ 'rootkey:orgId': 'my-org', 'rootkey:centralRegion': 'Frankfurt', 'rootkey:maxReminders': -1 }),
      );

    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(/rootkey:orgId: an organization id such as o-a1b2c3d4e5/);
    expect(read).toThrow(/rootkey:centralRegion: a Region such as eu-west-1/);
    expect(read).toThrow(/rootkey:maxReminders/);
  });

  it('never keeps evidence for less than a year', () => {
    expect(() => readConfig(contextOf({ 'rootkey:evidenceRetentionYears': 0 }))).toThrow(
      /rootkey:evidenceRetentionYears/,
    );
  });

  it('refuses a configuration in which nobody may approve', () => {
    expect(() => readConfig(contextOf({ 'rootkey:approvers': '' }))).toThrow(
      /rootkey:approvers or rootkey:approverGroup/,
    );
  });
});
