/**
 * At most `count` of these requests in flight; the rest wait their turn.
 * The dashboard's cards each ask for their VM's details (virsh runs on the
 * other side): fifty cards at once would queue a hundred virsh processes
 * ahead of everything else the page asks for.
 */
export function limiter(count: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= count) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await work();
    } finally {
      next();
    }
  };
}
