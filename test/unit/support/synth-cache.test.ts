import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cachedSynthesis, SYNTH_CACHE_DIR } from '../../support/infra/synth-cache';

/** The infra and workflow tests share syntheses through this cache: it must never hand back a stale or failed one. */
describe('cachedSynthesis', () => {
  const name = `cache-probe-${process.pid}`;
  afterEach(() => {
    if (!existsSync(SYNTH_CACHE_DIR)) return;
    for (const file of readdirSync(SYNTH_CACHE_DIR)) {
      if (file.startsWith(name)) rmSync(join(SYNTH_CACHE_DIR, file));
    }
  });

  it('computes once per context and returns the kept value after that', () => {
    const compute = jest.fn(() => ({ templates: ['a'] }));
    expect(cachedSynthesis(name, { x: 1 }, compute)).toEqual({ templates: ['a'] });
    expect(cachedSynthesis(name, { x: 1 }, compute)).toEqual({ templates: ['a'] });
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('keeps another context apart', () => {
    cachedSynthesis(name, { x: 1 }, () => 'one');
    expect(cachedSynthesis(name, { x: 2 }, () => 'two')).toBe('two');
  });

  it('keeps nothing when the synthesis throws (a cdk-nag finding), so the next call synthesizes again', () => {
    expect(() =>
      cachedSynthesis(name, { x: 3 }, () => {
        throw new Error('AwsSolutions-S1');
      }),
    ).toThrow('AwsSolutions-S1');
    expect(cachedSynthesis(name, { x: 3 }, () => 'synthesized')).toBe('synthesized');
  });
});
