import type { App } from '@slack/bolt';
import type { ListenerContext } from '../listener-context';
import { registerDecisionButtons } from './decision-buttons';
import { registerExceptionButtons } from './exception-buttons';
import { registerRunbookButtons } from './runbook-buttons';
import { registerPreventRecurrenceButton } from './prevent-recurrence-button';

/** Every button of the app's messages. */
export function registerActionListeners(app: App, ctx: ListenerContext): void {
  registerDecisionButtons(app, ctx);
  registerExceptionButtons(app, ctx);
  registerRunbookButtons(app, ctx);
  registerPreventRecurrenceButton(app, ctx);
}
