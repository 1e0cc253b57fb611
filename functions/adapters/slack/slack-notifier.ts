import type { Case } from '../../core/case';
import { runbookForCase, type Runbook } from '../../core/runbook';
import { SlackNotifierBase, type SlackNotifierBaseOptions } from './slack-notifier-base';

export { isTransientSlackError, SlackNotifierBase } from './slack-notifier-base';
export type { SlackNotifierBaseOptions } from './slack-notifier-base';

export interface SlackNotifierOptions extends Omit<SlackNotifierBaseOptions, 'runbookFor'> {
  /** The runbook of a case; `runbookForCase` unless a test or the sandbox replaces it. */
  runbookFor?: (c: Case, now: Date) => Runbook;
}

/** The Slack notifier with the product's runbook (`runbookForCase`) unless another is given. */
export class SlackNotifier extends SlackNotifierBase {
  constructor(options: SlackNotifierOptions) {
    super({ ...options, runbookFor: options.runbookFor ?? runbookForCase });
  }
}
