import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SecurityHubFindings } from '../../adapters/aws/security-hub-findings';
import type { FindingsPort } from '../../ports/findings';
import { optionalEnv } from '../env';
import { WORKFLOW_ENV, type Env } from '../workflow-env';

/** Security Hub findings, in `SECURITY_HUB_REGION` when set (the aggregation Region). */
export function awsFindings(env: Env): FindingsPort {
  const region = optionalEnv(env, WORKFLOW_ENV.securityHubRegion);
  return new SecurityHubFindings({ client: new SecurityHubClient(region ? { region } : {}) });
}
