import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxServer } from '../../../sandbox/sandbox-server';

/**
 * The sandbox page is plain ES modules loaded by the browser (sandbox/web/*.js, no bundler): every
 * module it imports must be served, as JavaScript (module scripts refuse any other MIME type, and
 * `nosniff` is on), while the server starts and once it runs; nothing else under sandbox/web is.
 */

jest.setTimeout(120_000);

const WEB_DIR = join(__dirname, '../../../sandbox/web');
const MODULES = readdirSync(WEB_DIR).filter((name) => name.endsWith('.js'));

interface Served {
  path: string;
  status: number;
  type: string | null;
  nosniff: string | null;
}

async function fetchAll(base: string, paths: string[]): Promise<Served[]> {
  return Promise.all(
    paths.map(async (path) => {
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      return {
        path,
        status: res.status,
        type: res.headers.get('content-type'),
        nosniff: res.headers.get('x-content-type-options'),
      };
    }),
  );
}

/** The `import … from './x.js'` specifiers of one module (JSDoc `import('./x.js')` types are not loaded). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^import [^;]+ from '(\.\/[^']+)';$/gm)].map((m) => m[1]!);
}

describe('the sandbox page as browser modules', () => {
  it('loads app.js as a module, and every module it can import resolves to a file that is served', () => {
    const page = readFileSync(join(WEB_DIR, 'index.html'), 'utf8');
    expect(page).toContain('<script type="module" src="/sandbox/assets/app.js"></script>');
    const reached = new Set<string>();
    const visit = (name: string): void => {
      if (reached.has(name)) return;
      expect(MODULES).toContain(name);
      reached.add(name);
      importsOf(readFileSync(join(WEB_DIR, name), 'utf8')).forEach((spec) => visit(spec.slice(2)));
    };
    visit('app.js');
    // Type-only modules are reached through JSDoc `import('./types.js')`, which the browser never loads.
    expect([...reached].sort()).toEqual(MODULES.filter((m) => m !== 'types.js').sort());
  });

  it('serves every module as JavaScript while starting and once running, nothing else from the folder, and the page under a strict CSP', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-modules-'));
    const paths = MODULES.map((m) => `/sandbox/assets/${m}`);
    let whileStarting: Served[] = [];

    // Act
    const sandbox = await startSandboxServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: {},
      sweepOnStart: false,
      onListening: async (url) => {
        whileStarting = await fetchAll(url, paths);
      },
    });
    try {
      const running = await fetchAll(sandbox.url, paths);
      const page = await fetch(`${sandbox.url}/`);
      const csp = page.headers.get('content-security-policy') ?? '';
      const refused = await fetchAll(sandbox.url, [
        '/sandbox/assets/tsconfig.json',
        '/sandbox/assets/index.html',
        '/sandbox/assets/..%2Fsandbox-server.ts',
        '/sandbox/assets/nope.js',
      ]);

      // Assess
      for (const served of [...whileStarting, ...running]) {
        expect(served).toEqual({
          path: served.path,
          status: 200,
          type: 'text/javascript; charset=utf-8',
          nosniff: 'nosniff',
        });
      }
      expect(whileStarting).toHaveLength(MODULES.length);
      // The modules are the page's only script: no inline script or style needs allowing.
      expect(csp.split('; ')).toEqual(
        expect.arrayContaining(["default-src 'none'", "script-src 'self'", "style-src 'self'"]),
      );
      expect(csp).not.toContain('unsafe');
      expect(refused.map((r) => [r.path, r.status])).toEqual([
        ['/sandbox/assets/tsconfig.json', 404],
        ['/sandbox/assets/index.html', 404],
        ['/sandbox/assets/..%2Fsandbox-server.ts', 404],
        ['/sandbox/assets/nope.js', 404],
      ]);
    } finally {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
