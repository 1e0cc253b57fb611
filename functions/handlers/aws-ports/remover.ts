import { AwsRootKeyRemover } from '../../adapters/aws/root-key-remover';
import { createStsClient } from '../../adapters/aws/clients';
import type { RootKeyRemoverPort } from '../../ports/root-key-remover';

/** Deletes root keys: AssumeRoot with IAMDeleteRootUserCredentials, then IAM in the root session. */
export function awsRemover(): RootKeyRemoverPort {
  return new AwsRootKeyRemover({ sts: createStsClient() });
}
