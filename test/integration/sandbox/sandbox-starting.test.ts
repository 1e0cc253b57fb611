import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxServer } from '../../../sandbox/sandbox-server';

jest.setTimeout(120_000);

describe('the sandbox while it starts', () => {
  it('answers at once: the page, and 503 with Retry-After for everything else, never a hang', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-sandbox-starting-'));
    let answers: { path: string; status: number; retryAfter: string | null; body: string }[] = [];

    // Act: ask while the runtime is still being built (the state machine is synthesized after listen).
    const sandbox = await startSandboxServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: {},
      sweepOnStart: false,
      onListening: async (url) => {
        answers = await Promise.all(
          ['/', '/api/cases', '/sandbox/state?user='].map(async (path) => {
            const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
            return { path, status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
          }),
        );
      },
    });
    try {
      // Assess
      expect(answers.map((a) => [a.path, a.status])).toEqual([
        ['/', 200],
        ['/api/cases', 503],
        ['/sandbox/state?user=', 503],
      ]);
      expect(answers[1]!.retryAfter).toBe('1');
      expect(JSON.parse(answers[1]!.body)).toMatchObject({ starting: true });
      expect((await fetch(`${sandbox.url}/api/cases`)).status).toBe(200);
    } finally {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
