import type { App } from '@slack/bolt';
import type { ListenerContext } from '../listener-context';
import { registerRootkeyCommand } from './rootkey-command';

/** Every slash command of the app (see manifest.json). */
export function registerCommandListeners(app: App, ctx: ListenerContext): void {
  registerRootkeyCommand(app, ctx);
}
