import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { WebClient } from '@slack/web-api';
import { DynamoCaseStore } from '../functions/adapters/aws/dynamo-case-store';
import { KmsSigner } from '../functions/adapters/aws/kms-signer';
import { S3BlobStore } from '../functions/adapters/aws/s3-blob-store';
import { SfnWorkflowCallbacks } from '../functions/adapters/aws/sfn-workflow-callbacks';
import { SfnWorkflowStarter } from '../functions/adapters/aws/sfn-workflow-starter';
import { SlackApproverDirectory } from '../functions/adapters/slack/slack-approver-directory';
import { InvalidInputError } from '../functions/core/errors';
import { SLACK_FUNCTION_ENV } from '../functions/core/shared-names';
import { systemClock } from '../functions/ports/clock';
import { BlobEvidenceStore } from '../functions/services/blob-evidence-store';
import { EvidenceService } from '../functions/services/evidence-service';
import type { SlackSecrets, SlackSettings } from '../functions/adapters/slack/slack-config';
import type { SlackAppServices } from './services';

export { SLACK_FUNCTION_ENV };

type Env = Record<string, string | undefined>;

/** A required variable; a missing one is a deployment error that should fail loudly and early. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new InvalidInputError(`Environment variable ${name} is not set`);
  return value;
}

/**
 * The Slack app's services in AWS: cases in DynamoDB, evidence in S3 signed by KMS, answers to the
 * workflow through Step Functions, approvers from Slack. SDK clients take the standard configuration
 * (Region, endpoints, credential chain); no X-Ray SDK (see functions/handlers/lambda-handler.ts). Returns a factory
 * over the bot token, which the approver directory needs to read the user group.
 */
export function awsSlackServices(env: Env, settings: SlackSettings): (secrets: SlackSecrets) => SlackAppServices {
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const cases = new DynamoCaseStore({ client: ddb, tableName: requiredEnv(env, SLACK_FUNCTION_ENV.casesTable) });
  const evidence = new EvidenceService({
    store: new BlobEvidenceStore(
      new S3BlobStore({
        client: new S3Client({}),
        bucket: requiredEnv(env, SLACK_FUNCTION_ENV.evidenceBucket),
        kmsKeyId: requiredEnv(env, SLACK_FUNCTION_ENV.evidenceKmsKey),
      }),
    ),
    signer: new KmsSigner({
      client: new KMSClient({}),
      keyId: requiredEnv(env, SLACK_FUNCTION_ENV.signingKey),
    }),
  });
  const sfn = new SFNClient({});
  const workflowArn = env[SLACK_FUNCTION_ENV.caseWorkflowArn]?.trim();
  const callbacks = new SfnWorkflowCallbacks(sfn);
  const starter = workflowArn ? new SfnWorkflowStarter(sfn, workflowArn) : undefined;
  const preventionArn = env[SLACK_FUNCTION_ENV.preventionWorkflowArn]?.trim();
  const preventionStarter = preventionArn ? new SfnWorkflowStarter(sfn, preventionArn) : undefined;
  return (secrets) => ({
    cases,
    evidence,
    clock: systemClock,
    callbacks,
    approvers: new SlackApproverDirectory({
      client: new WebClient(secrets.botToken, settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
      userIds: settings.approvers,
      ...(settings.approverGroup ? { groupId: settings.approverGroup } : {}),
    }),
    ...(starter ? { starter } : {}),
    ...(preventionStarter ? { preventionStarter } : {}),
  });
}
