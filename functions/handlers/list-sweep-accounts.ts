import * as z from '../core/zod-mini';
import type { Deps } from '../services/dependencies';
import { listSweepAccounts, type SweepList } from '../services/list-sweep-accounts';
import { accountIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsOrganization } from './aws-ports/accounts';

/** The sweep starts from the daily schedule (an EventBridge Scheduled Event) or by hand (`{ accounts? }`). */
const input = z.looseObject({
  source: z.optional(z.string()),
  'detail-type': z.optional(z.string()),
  accounts: z.optional(z.array(accountIdSchema)),
});

/** The organization sweep's first step: the accounts to start a workflow for. */
export function createListSweepAccountsHandler(deps: Deps): TaskHandler<SweepList> {
  return async (event) => {
    const start = parseTaskInput(input, event ?? {}, 'list-sweep-accounts');
    const scheduled = start.source === 'aws.events' && start['detail-type'] === 'Scheduled Event';
    return listSweepAccounts(deps, { scheduled, ...(start.accounts ? { accounts: start.accounts } : {}) });
  };
}

export const handler = lambdaHandler('list-sweep-accounts', { organization: awsOrganization }, ({ deps }) =>
  createListSweepAccountsHandler(deps),
);
