import { AwsOrganization } from '../../adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../../adapters/aws/aws-root-key-reader';
import { createIamClientFromCredentials } from '../../adapters/aws/clients';
import { createAwsClients, type AwsClients } from '../../adapters/aws/organizations-client';
import type { OrganizationPort } from '../../ports/organization';
import type { RootKeyReaderPort } from '../../ports/root-key-reader';

let clients: AwsClients | undefined;
/** STS, IAM and Organizations clients, shared by the organization and the reader in one container. */
function sharedClients(): AwsClients {
  clients ??= createAwsClients();
  return clients;
}

/** The organization (Organizations, STS caller identity, IAM account alias). */
export function awsOrganization(): OrganizationPort {
  const { organizations, sts, iam } = sharedClients();
  return new AwsOrganization({ organizations, sts, iam });
}

/** Reads an account's root keys: AssumeRoot with the audit task policy, or the read role. */
export function awsReader(): RootKeyReaderPort {
  const { sts, iam } = sharedClients();
  return new AwsRootKeyReader({ sts, iam, iamFor: createIamClientFromCredentials });
}
