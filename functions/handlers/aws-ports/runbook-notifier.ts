import { runbookForCase } from '../../core/runbook';
import type { NotifierPort } from '../../ports/notifier';
import type { Env } from '../workflow-env';
import { awsNotifier } from './notifier';

/** The Slack notifier of the tasks that post runbook steps and their reminders. */
export function awsRunbookNotifier(env: Env): NotifierPort {
  return awsNotifier(env, runbookForCase);
}
