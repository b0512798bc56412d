import { rmSync, statSync } from 'node:fs';

/** Where QEMU puts Looking Glass's shared memory (`<shmem name='looking-glass'>`). */
export const SHM = '/dev/shm/looking-glass';

/**
 * Remove a memory file an earlier run of the test user left (QEMU does not
 * remove it). A file of another user is never touched: the reason is
 * returned, and the test says it skipped.
 */
export function clearOwnShm(uid: number): string | null {
  const st = statSync(SHM, { throwIfNoEntry: false });
  if (!st) return null;
  if (st.uid === uid) {
    rmSync(SHM);
    return null;
  }
  return `${SHM} belongs to uid ${st.uid}: this test will not remove another user's Looking Glass memory`;
}

/** The stand-in looking-glass-client the Looking Glass tests run. */
export const FAKE_CLIENT = new URL('../fixtures/lookingglass/bin/looking-glass-client', import.meta.url).pathname;
