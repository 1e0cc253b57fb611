import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import {
  AccountNotManagementOrDelegatedAdministratorException,
  IAMClient,
  IAMServiceException,
  ListAccountAliasesCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsOrganization } from '../../../../functions/adapters/aws/aws-organization';
import { AccessDeniedError, InvalidInputError, TransientAwsError } from '../../../../functions/core/errors';

const CALLER_ARN = 'arn:aws:sts::111111111111:assumed-role/OrgAdmin/alice';
const meta = { $metadata: {} };

describe('AwsOrganization', () => {
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  const sts = new STSClient({ region: 'us-east-1' });
  const iam = new IAMClient({ region: 'us-east-1' });
  const orgMock = mockClient(organizations);
  const stsMock = mockClient(sts);
  const iamMock = mockClient(iam);
  const adapter = () => new AwsOrganization({ organizations, sts, iam });

  beforeEach(() => {
    orgMock.reset();
    stsMock.reset();
    iamMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: CALLER_ARN });
    orgMock.on(DescribeOrganizationCommand).resolves({
      Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111' },
    });
  });

  describe('listAccounts', () => {
    it('follows NextToken across pages and keeps only ACTIVE accounts, the management account flagged', async () => {
      // Prepare
      orgMock
        .on(ListAccountsCommand)
        .resolvesOnce({
          Accounts: [
            { Id: '111111111111', Name: 'management', State: 'ACTIVE', Email: 'root@example.com' },
            { Id: '222222222222', Name: 'security-tooling', State: 'ACTIVE' },
          ],
          NextToken: 'page-2',
        })
        .resolvesOnce({
          Accounts: [
            { Id: '333333333333', Name: 'payments-prod', Status: 'ACTIVE' },
            { Id: '555555555555', Name: 'old-sandbox', State: 'SUSPENDED' },
            { Id: '666666666666', Name: 'closing', State: 'PENDING_CLOSURE' },
          ],
        });

      // Act
      const accounts = await adapter().listAccounts();

      // Assess
      expect(orgMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
      expect(orgMock).toHaveReceivedNthCommandWith(2, ListAccountsCommand, { NextToken: 'page-2' });
      expect(accounts).toEqual([
        { id: '111111111111', name: 'management', isManagement: true, email: 'root@example.com' },
        { id: '222222222222', name: 'security-tooling', isManagement: false },
        { id: '333333333333', name: 'payments-prod', isManagement: false },
      ]);
    });

    it('describes the organization once however often it is asked', async () => {
      orgMock.on(ListAccountsCommand).resolves({ Accounts: [] });
      const org = adapter();

      await org.listAccounts();
      await org.listAccounts();

      expect(orgMock).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 1);
    });

    it('names organizations:ListAccounts and the caller when the listing is refused', async () => {
      orgMock.on(ListAccountsCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));

      const error = (await adapter()
        .listAccounts()
        .catch((e: unknown) => e)) as AccessDeniedError;

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.permission).toBe('organizations:ListAccounts');
      expect(error.where).toBe(`organization o-abcdefghij as ${CALLER_ARN}`);
    });

    it('turns throttling that outlived the retries into TransientAwsError', async () => {
      orgMock
        .on(ListAccountsCommand)
        .rejects(
          new TooManyRequestsException({ message: 'AWS Organizations can not complete your request', $metadata: {} }),
        );

      await expect(adapter().listAccounts()).rejects.toThrow(TransientAwsError);
    });
  });

  describe('a standalone account (no organization)', () => {
    beforeEach(() => {
      orgMock
        .on(DescribeOrganizationCommand)
        .rejects(new AWSOrganizationsNotInUseException({ message: 'not in use', $metadata: {} }));
      iamMock.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['acme-prod'], ...meta });
    });

    it("yields the caller's own account, flagged standalone and named by its alias", async () => {
      const accounts = await adapter().listAccounts();

      expect(accounts).toEqual([{ id: '111111111111', name: 'acme-prod', isManagement: false, isStandalone: true }]);
      expect(orgMock).not.toHaveReceivedCommand(ListAccountsCommand);
    });

    it('has no centralized root access, and says why', async () => {
      const features = await adapter().rootAccessFeatures();

      expect(features).toEqual({
        rootCredentialsManagement: false,
        rootSessions: false,
        unavailableReason: 'the account is not part of an AWS Organization',
      });
      expect(iamMock).not.toHaveReceivedCommand(ListOrganizationsFeaturesCommand);
    });

    it('refuses any other account id', async () => {
      await expect(adapter().getAccount('222222222222')).rejects.toThrow(InvalidInputError);
      await expect(adapter().getAccount('111111111111')).resolves.toMatchObject({ isStandalone: true });
    });
  });

  describe('rootAccessFeatures', () => {
    it('reads RootCredentialsManagement and RootSessions from iam:ListOrganizationsFeatures', async () => {
      iamMock
        .on(ListOrganizationsFeaturesCommand)
        .resolves({ OrganizationId: 'o-abcdefghij', EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });

      await expect(adapter().rootAccessFeatures()).resolves.toEqual({
        rootCredentialsManagement: true,
        rootSessions: true,
      });
    });

    it('reports RootSessions off when only credentials management is enabled', async () => {
      iamMock.on(ListOrganizationsFeaturesCommand).resolves({ EnabledFeatures: ['RootCredentialsManagement'] });

      const features = await adapter().rootAccessFeatures();

      expect(features.rootCredentialsManagement).toBe(true);
      expect(features.rootSessions).toBe(false);
    });

    it('counts the features as off, keeping the reason, when the caller may not read them', async () => {
      iamMock.on(ListOrganizationsFeaturesCommand).rejects(
        new IAMServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
          message: 'not authorized',
        }),
      );

      await expect(adapter().rootAccessFeatures()).resolves.toEqual({
        rootCredentialsManagement: false,
        rootSessions: false,
        unavailableReason: `iam:ListOrganizationsFeatures is not allowed for ${CALLER_ARN}`,
      });
    });

    it('counts the features as off when the caller is neither management account nor delegated admin', async () => {
      iamMock
        .on(ListOrganizationsFeaturesCommand)
        .rejects(new AccountNotManagementOrDelegatedAdministratorException({ message: 'no', $metadata: {} }));

      const features = await adapter().rootAccessFeatures();

      expect(features.rootSessions).toBe(false);
      expect(features.unavailableReason).toContain('delegated administrator');
    });

    it('throws on throttling instead of pretending the features are off', async () => {
      iamMock.on(ListOrganizationsFeaturesCommand).rejects(
        new IAMServiceException({
          name: 'Throttling',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        }),
      );

      await expect(adapter().rootAccessFeatures()).rejects.toThrow(TransientAwsError);
    });
  });

  describe('getAccount', () => {
    it('describes one account and flags the management account', async () => {
      orgMock
        .on(DescribeAccountCommand, { AccountId: '111111111111' })
        .resolves({ Account: { Id: '111111111111', Name: 'management', State: 'ACTIVE' } });

      await expect(adapter().getAccount('111111111111')).resolves.toEqual({
        id: '111111111111',
        name: 'management',
        isManagement: true,
      });
    });

    it('refuses an account that is not in the organization', async () => {
      orgMock.on(DescribeAccountCommand).rejects(new AccountNotFoundException({ message: 'nope', $metadata: {} }));

      await expect(adapter().getAccount('444444444444')).rejects.toThrow(
        'Account 444444444444 is not in organization o-abcdefghij',
      );
    });

    it('refuses a suspended account: it cannot be read', async () => {
      orgMock.on(DescribeAccountCommand).resolves({ Account: { Id: '555555555555', Name: 'old', State: 'SUSPENDED' } });

      await expect(adapter().getAccount('555555555555')).rejects.toThrow(/SUSPENDED, not ACTIVE/);
    });

    it('refuses an id that is not 12 digits without calling AWS', async () => {
      await expect(adapter().getAccount('12345')).rejects.toThrow("account id '12345' is not 12 digits");
      expect(orgMock).not.toHaveReceivedAnyCommand();
    });
  });
});
