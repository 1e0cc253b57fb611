import { main } from '../../../cli/main';

/** Runs `rootkey evidence verify <dataDir>` as a user would and expects the evidence reported intact. */
export async function expectEvidenceVerifiedByCli(dataDir: string): Promise<void> {
  const out: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => out.push(s) },
    env: {},
  };
  const code = await main(['evidence', 'verify', dataDir], io);
  expect(out.join('')).toContain('INTACT');
  expect(code).toBe(0);
}
