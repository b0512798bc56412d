import { describe, expect, it } from 'vitest';
import { limiter } from '../../renderer/src/api/limit';

describe('limiter', () => {
  it('keeps at most N requests in flight and runs every one, in order', async () => {
    const limit = limiter(3);
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const work = (i: number) => () =>
      new Promise<number>((done) => {
        inFlight++;
        most = Math.max(most, inFlight);
        order.push(i);
        gates.push(() => {
          inFlight--;
          done(i);
        });
      });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => limit(work(i))));
    // Open the gates one by one as requests arrive.
    while (order.length < 10 || gates.length > 0) {
      await new Promise((r) => setTimeout(r, 0));
      gates.shift()?.();
    }
    expect(await all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it('a failed request frees its place', async () => {
    const limit = limiter(1);
    await expect(limit(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(limit(() => Promise.resolve(2))).resolves.toBe(2);
  });
});
