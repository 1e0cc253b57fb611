import { AckFirstWork, workAtOnce } from '../../../slack-app/work-after-ack';

/** A piece of work that finishes when told to, and says whether it has started. */
function controlled<T>(value: T) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const state = { started: false };
  const done = new Promise<T>((resolve, reject) => {
    finish = () => resolve(value);
    fail = reject;
  });
  const work = () => {
    state.started = true;
    return done;
  };
  return { work, state, finish: () => finish(), fail: (e: Error) => fail(e) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('work after the ack', () => {
  it('runs at once in Lambda (one click per invocation)', async () => {
    await expect(workAtOnce(async () => 42)).resolves.toBe(42);
  });

  it('lets a given number of clicks work at a time, the others in the order they were acked', async () => {
    const work = new AckFirstWork({ turns: 2, turnMs: 60_000 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((v) => controlled(v));
    const results = [a!, b!, c!, d!].map((x) => work.afterAck(x.work));
    await settle();
    expect([a!, b!, c!, d!].map((x) => x.state.started)).toEqual([true, true, false, false]);
    expect(work.queued).toBe(2);

    b!.finish();
    await settle();
    expect([c!, d!].map((x) => x.state.started)).toEqual([true, false]);

    a!.finish();
    c!.finish();
    await settle();
    expect(d!.state.started).toBe(true);
    d!.finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect(work.queued).toBe(0);
  });

  it('gives the turn to the next click when one waits longer than a turn (slow AWS or Slack)', async () => {
    jest.useFakeTimers();
    try {
      const work = new AckFirstWork({ turns: 1, turnMs: 250 });
      const slow = controlled('slow');
      const next = controlled('next');
      const results = [work.afterAck(slow.work), work.afterAck(next.work)];
      await Promise.resolve();
      expect(next.state.started).toBe(false);
      await jest.advanceTimersByTimeAsync(249);
      expect(next.state.started).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(next.state.started).toBe(true);
      next.finish();
      slow.finish();
      await expect(Promise.all(results)).resolves.toEqual(['slow', 'next']);
      // Both turns were given back once: a third click starts at once.
      const third = controlled('third');
      void work.afterAck(third.work);
      await Promise.resolve();
      expect(third.state.started).toBe(true);
      third.finish();
    } finally {
      jest.useRealTimers();
    }
  });

  it('passes a failure on and frees the turn', async () => {
    const work = new AckFirstWork({ turns: 1, turnMs: 60_000 });
    const failing = controlled('x');
    const next = controlled('next');
    const first = work.afterAck(failing.work);
    const second = work.afterAck(next.work);
    failing.fail(new Error('DynamoDB throttled'));
    await expect(first).rejects.toThrow('DynamoDB throttled');
    await settle();
    expect(next.state.started).toBe(true);
    next.finish();
    await expect(second).resolves.toBe('next');
  });

  it('refuses a number of turns that is not a whole number of at least 1', () => {
    expect(() => new AckFirstWork({ turns: 0, turnMs: 250 })).toThrow(RangeError);
    expect(() => new AckFirstWork({ turns: 1.5, turnMs: 250 })).toThrow(RangeError);
  });
});

describe('stopping', () => {
  it('waits until every acked click has finished its work, waiting ones included', async () => {
    const work = new AckFirstWork({ turns: 1, turnMs: 60_000 });
    const first = controlled('first');
    const second = controlled('second');
    void work.afterAck(first.work);
    void work.afterAck(second.work);
    let idle = false;
    const stopped = work.idle(60_000).then(() => (idle = true));
    first.finish();
    await settle();
    expect(second.state.started).toBe(true);
    expect(idle).toBe(false);
    second.finish();
    await stopped;
    expect(idle).toBe(true);
    await expect(work.idle(60_000)).resolves.toBeUndefined(); // nothing left: at once
  });

  it('gives up waiting after the time given', async () => {
    const work = new AckFirstWork({ turns: 1, turnMs: 60_000 });
    const stuck = controlled('stuck');
    void work.afterAck(stuck.work);
    await expect(work.idle(20)).resolves.toBeUndefined();
    stuck.finish();
  });
});
