import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TASK_IDS } from '../../../functions/handlers/task-ids';
import {
  bundleTaskHandlers,
  factoryExportOf,
  handlerSourceFromEnv,
  loadBundledFactories,
} from '../../../local-runner/handler-bundles';

/** How the local runner chooses and builds its handlers: bundled as infra bundles them, or from source. */
describe('handler source', () => {
  it('defaults to the given fallback and accepts bundled or source', () => {
    expect(handlerSourceFromEnv({}, 'bundled')).toBe('bundled');
    expect(handlerSourceFromEnv({ ROOTKEY_HANDLERS: '' }, 'source')).toBe('source');
    expect(handlerSourceFromEnv({ ROOTKEY_HANDLERS: 'source' }, 'bundled')).toBe('source');
    expect(handlerSourceFromEnv({ ROOTKEY_HANDLERS: 'bundled' }, 'source')).toBe('bundled');
  });

  it('refuses anything else instead of silently testing the other thing', () => {
    expect(() => handlerSourceFromEnv({ ROOTKEY_HANDLERS: 'bundle' }, 'bundled')).toThrow(
      'ROOTKEY_HANDLERS must be "bundled" or "source", not "bundle"',
    );
  });

  it('names each entry’s factory after its task', () => {
    expect(factoryExportOf('detect-root-keys')).toBe('createDetectRootKeysHandler');
    expect(factoryExportOf('list-sweep-accounts')).toBe('createListSweepAccountsHandler');
  });
});

describe('handler bundles', () => {
  let cacheRoot: string;

  beforeAll(() => {
    cacheRoot = mkdtempSync(path.join(tmpdir(), 'rootkey-bundle-cache-'));
  });

  afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

  it('bundles every task once and reuses the bundles while the sources are unchanged', () => {
    const dir = bundleTaskHandlers(cacheRoot);
    for (const task of TASK_IDS) expect(existsSync(path.join(dir, `${task}.js`))).toBe(true);
    const builtAt = statSync(path.join(dir, 'detect-root-keys.js')).mtimeMs;

    expect(bundleTaskHandlers(cacheRoot)).toBe(dir);
    expect(statSync(path.join(dir, 'detect-root-keys.js')).mtimeMs).toBe(builtAt);
    expect(readdirSync(cacheRoot)).toEqual([path.basename(dir)]);
  }, 120_000);

  it('exposes every task’s factory from its bundle', () => {
    // The default cache lives in the repository, so the bundles find the external @aws-sdk packages.
    const factories = loadBundledFactories(bundleTaskHandlers());
    expect(Object.keys(factories).sort()).toEqual([...TASK_IDS].sort());
  }, 120_000);
});
