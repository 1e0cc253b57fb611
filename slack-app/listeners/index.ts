import type { App } from '@slack/bolt';
import { registerActionListeners } from './actions';
import { registerCommandListeners } from './commands';
import type { ListenerContext } from './listener-context';
import { registerViewListeners } from './views';

/** Registers every listener; each kind registers itself, the same in Lambda, HTTP and Socket Mode. */
export function registerListeners(app: App, ctx: ListenerContext): void {
  registerActionListeners(app, ctx);
  registerViewListeners(app, ctx);
  registerCommandListeners(app, ctx);
}
