import type { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import { createIamClient, createStsClient, sharedConfig, type AwsClientOptions } from './clients';

// Apart from clients.ts so that a function that never reads the organization (delete-keys, the Slack
// app) does not load the Organizations client: the bundle-size test checks the SDK clients per function.

/** The clients the detection adapters need, built once per process (Lambda cold start or CLI run). */
export interface AwsClients {
  sts: STSClient;
  iam: IAMClient;
  organizations: OrganizationsClient;
}

export function createOrganizationsClient(options: AwsClientOptions = {}): OrganizationsClient {
  return new OrganizationsClient(sharedConfig(options));
}

/** All detection clients with the same options (ambient credentials unless given). */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  return {
    sts: createStsClient(options),
    iam: createIamClient(options),
    organizations: createOrganizationsClient(options),
  };
}
