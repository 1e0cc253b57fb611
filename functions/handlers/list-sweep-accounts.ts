import { randomUUID } from 'node:crypto';
import * as z from '../core/zod-mini';
import type { SweepListStorePort } from '../ports/sweep-list-store';
import type { Deps } from '../services/dependencies';
import { listSweepAccounts, type SweepList } from '../services/list-sweep-accounts';
import { accountIdSchema, parseTaskInput } from './handler-input';
import { lambdaHandler, type TaskHandler } from './lambda-handler';
import { awsOrganization } from './aws-ports/accounts';
import { awsSweepLists } from './aws-ports/sweep-lists';

/** The sweep starts from the daily schedule (an EventBridge Scheduled Event) or by hand (`{ accounts? }`). */
const input = z.looseObject({
  source: z.optional(z.string()),
  'detail-type': z.optional(z.string()),
  accounts: z.optional(z.array(accountIdSchema)),
});

/** The organization sweep's first step: the accounts to start a workflow for. */
export function createListSweepAccountsHandler(deps: Deps, lists: SweepListStorePort): TaskHandler<SweepList> {
  return async (event) => {
    const start = parseTaskInput(input, event ?? {}, 'list-sweep-accounts');
    const scheduled = start.source === 'aws.events' && start['detail-type'] === 'Scheduled Event';
    // One list per invocation: a retried list step writes a new object, never over one being read.
    const listName = `${deps.clock.now().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}`;
    return listSweepAccounts(deps, lists, {
      scheduled,
      listName,
      ...(start.accounts ? { accounts: start.accounts } : {}),
    });
  };
}

export const handler = lambdaHandler(
  'list-sweep-accounts',
  { organization: awsOrganization, sweepLists: awsSweepLists },
  ({ deps, sweepLists }) => createListSweepAccountsHandler(deps, sweepLists),
);
