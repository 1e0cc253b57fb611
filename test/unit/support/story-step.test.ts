import { step } from '../../support/e2e/story-step';

describe('a browser story step', () => {
  it('names itself in the error of a failing step, message and stack', async () => {
    const failing = step('deletes the key', async () => {
      throw new Error('case did not reach remediated');
    });
    await expect(failing).rejects.toThrow('[step: deletes the key] case did not reach remediated');
    const error = (await failing.catch((e: unknown) => e)) as Error;
    expect(error.stack).toContain('[step: deletes the key] case did not reach remediated');
  });

  it('runs the step and passes its result through when it succeeds', async () => {
    const done: string[] = [];
    await step('first', async () => {
      done.push('first');
    });
    expect(done).toEqual(['first']);
  });
});
