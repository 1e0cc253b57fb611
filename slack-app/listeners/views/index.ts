import type { App } from '@slack/bolt';
import type { ListenerContext } from '../listener-context';
import { registerExceptionSubmission } from './exception-submission';

/** Every modal the app opens. */
export function registerViewListeners(app: App, ctx: ListenerContext): void {
  registerExceptionSubmission(app, ctx);
}
