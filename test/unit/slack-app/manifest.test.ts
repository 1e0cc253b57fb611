import type { AppsManifestCreateArguments } from '@slack/web-api';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import manifestJson from '../../../slack-app/manifest.json';

type Manifest = AppsManifestCreateArguments['manifest'];
type BotScope = NonNullable<NonNullable<NonNullable<Manifest['oauth_config']>['scopes']>['bot']>[number];
// Compile-time check of the file's shape against Slack's manifest schema as @slack/web-api types it; the
// scope names are checked below through SCOPE_OF, whose values must be real bot scopes.
const manifest: Manifest = {
  ...manifestJson,
  oauth_config: { scopes: { bot: manifestJson.oauth_config.scopes.bot as BotScope[] } },
};

/** Every Slack Web API method the app and its adapters call, found in the source. */
function methodsCalled(): Set<string> {
  const found = new Set<string>();
  const roots = ['slack-app', 'functions/adapters/slack'].map((d) => join(__dirname, '../../..', d));
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/client\.([a-z]+(?:\.[a-zA-Z]+)+)\(/g)) found.add(m[1]!);
      }
    }
  };
  roots.forEach(visit);
  return found;
}

/** The bot scope each method needs (views.open needs none). */
const SCOPE_OF: Record<string, BotScope | undefined> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'views.open': undefined,
  'usergroups.users.list': 'usergroups:read',
};

describe('slack-app/manifest.json', () => {
  it('requests exactly the scopes of the methods the code calls, plus commands for /rootkey', () => {
    const called = methodsCalled();
    for (const method of called) expect(Object.keys(SCOPE_OF)).toContain(method);
    const needed = new Set<string>([...called].map((m) => SCOPE_OF[m]).filter((s): s is BotScope => s !== undefined));
    needed.add('commands' satisfies BotScope);
    expect([...(manifest.oauth_config?.scopes?.bot ?? [])].sort()).toEqual([...needed].sort());
  });

  it('sends interactivity and the slash command to POST /slack/events', () => {
    expect(manifest.settings?.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://example.com/slack/events',
    });
    expect(manifest.features?.slash_commands).toEqual([
      expect.objectContaining({ command: '/rootkey', url: 'https://example.com/slack/events' }),
    ]);
  });
});
