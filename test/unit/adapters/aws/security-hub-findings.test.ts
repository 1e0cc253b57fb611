import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import { SecurityHubFindings } from '../../../../functions/adapters/aws/security-hub-findings';
import { AccessDeniedError, InvalidInputError, TransientAwsError } from '../../../../functions/core/errors';

const hub = mockClient(SecurityHubClient);
const finding = {
  id: 'arn:aws:securityhub:us-east-1:333333333333:security-control/IAM.4/finding/abc',
  productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
};

function adapter(): SecurityHubFindings {
  return new SecurityHubFindings({ client: new SecurityHubClient({ region: 'us-east-1' }) });
}

beforeEach(() => hub.reset());

describe('SecurityHubFindings', () => {
  it('finds the active IAM.4 finding of the account, preferring a FAILED one', async () => {
    // Prepare
    hub.on(GetFindingsCommand).resolves({
      Findings: [
        { Id: 'passed-one', ProductArn: finding.productArn, Compliance: { Status: 'PASSED' } } as AwsSecurityFinding,
        { Id: finding.id, ProductArn: finding.productArn, Compliance: { Status: 'FAILED' } } as AwsSecurityFinding,
      ],
    });

    // Act
    const found = await adapter().findRootKeyFinding('333333333333');

    // Assess
    expect(found).toEqual(finding);
    expect(hub).toHaveReceivedCommandWith(GetFindingsCommand, {
      Filters: {
        ComplianceSecurityControlId: [{ Value: 'IAM.4', Comparison: 'EQUALS' }],
        AwsAccountId: [{ Value: '333333333333', Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      },
    });
  });

  it('answers undefined when the account has no such finding', async () => {
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
    await expect(adapter().findRootKeyFinding('333333333333')).resolves.toBeUndefined();
  });

  it.each([
    ['markNotified', 'NOTIFIED'],
    ['markResolved', 'RESOLVED'],
    ['markSuppressed', 'SUPPRESSED'],
  ] as const)('%s sets Workflow.Status %s with a note through BatchUpdateFindings', async (method, status) => {
    hub
      .on(BatchUpdateFindingsCommand)
      .resolves({ ProcessedFindings: [{ Id: finding.id, ProductArn: finding.productArn }], UnprocessedFindings: [] });

    await adapter()[method](finding, 'rootkey RK-1: evidence sha256:abc');

    expect(hub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      FindingIdentifiers: [{ Id: finding.id, ProductArn: finding.productArn }],
      Workflow: { Status: status },
      Note: { Text: 'rootkey RK-1: evidence sha256:abc', UpdatedBy: 'rootkey' },
    });
  });

  it('cuts a note to the 512 characters Security Hub allows', async () => {
    hub.on(BatchUpdateFindingsCommand).resolves({ UnprocessedFindings: [] });

    await adapter().markSuppressed(finding, 'y'.repeat(1000));

    const input = hub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input;
    expect(input?.Note?.Text).toHaveLength(512);
  });

  it('reports a finding Security Hub did not update instead of pretending it did', async () => {
    hub.on(BatchUpdateFindingsCommand).resolves({
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: finding.id, ProductArn: finding.productArn },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding Not Found',
        },
      ],
    });

    await expect(adapter().markResolved(finding, 'note')).rejects.toThrow(InvalidInputError);
  });

  it('treats a concurrent update as transient, so that the workflow retries it', async () => {
    hub.on(BatchUpdateFindingsCommand).resolves({
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: finding.id, ProductArn: finding.productArn },
          ErrorCode: 'ConcurrentUpdateError',
          ErrorMessage: 'Concurrent finding updates detected',
        },
      ],
    });

    await expect(adapter().markResolved(finding, 'note')).rejects.toThrow(TransientAwsError);
  });

  it('names securityhub:BatchUpdateFindings when access is denied', async () => {
    hub.on(BatchUpdateFindingsCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const error = await adapter()
      .markNotified(finding, 'note')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).permission).toBe('securityhub:BatchUpdateFindings');
  });
});
