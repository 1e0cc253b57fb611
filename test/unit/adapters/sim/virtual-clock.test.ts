import { VirtualClock } from '../../../../functions/adapters/sim/virtual-clock';

describe('VirtualClock', () => {
  it('wakes sleepers in time order and reports the simulated time', async () => {
    // Prepare
    const clock = new VirtualClock();
    const woke: string[] = [];

    // Act
    await clock.run(async () => {
      await Promise.all([
        clock.sleep(300).then(() => woke.push(`c@${clock.now()}`)),
        clock.sleep(100).then(() => woke.push(`a@${clock.now()}`)),
        clock.sleep(200).then(() => woke.push(`b@${clock.now()}`)),
      ]);
    });

    // Assess
    expect(woke).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toBe(300);
  });

  it('runs chains of sleeps as sequential time', async () => {
    const clock = new VirtualClock(1000);

    const result = await clock.run(async () => {
      for (let i = 0; i < 5; i++) await clock.sleep(60);
      return clock.now();
    });

    expect(result).toBe(1300);
  });

  it('passes the work rejection through', async () => {
    const clock = new VirtualClock();

    await expect(
      clock.run(async () => {
        await clock.sleep(10);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('fails instead of hanging when the work waits on something else', async () => {
    const clock = new VirtualClock();
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));

    await expect(clock.run(() => never)).rejects.toThrow(/waiting on something other than this clock/);
    release();
  });
});
