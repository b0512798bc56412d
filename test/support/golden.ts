import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expect } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The variable that lets a run write golden files. */
export const UPDATE_GOLDEN = 'VITRINE_UPDATE_GOLDEN';

/** The environment a golden comparison reads: whether it may write goldens, and whether it runs in CI. */
export interface GoldenEnv {
  [UPDATE_GOLDEN]?: string | undefined;
  CI?: string | undefined;
}

/** CI=true or CI=1, read the way test/run.mjs reads it. */
export function isCi(env: GoldenEnv = process.env): boolean {
  return ['true', '1'].includes(String(env.CI ?? '').toLowerCase());
}

/**
 * Compare `actual` with the golden file at `file`; the one golden helper of
 * every test.
 * - `VITRINE_UPDATE_GOLDEN=1`: the golden is (re)written from `actual`, and
 *   the test passes (read the diff before committing).
 * - A missing golden always fails. Under `CI=true` nothing is written, so a
 *   deleted or never-committed golden cannot pass in CI; elsewhere it is
 *   written from this run so it can be read, and the next run compares with it.
 * - Otherwise `actual` must equal the file, byte for byte.
 */
export function expectGolden(file: string, actual: string, env: GoldenEnv = process.env): void {
  const name = relative(repoRoot, file);
  if (env[UPDATE_GOLDEN] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  } else if (!existsSync(file)) {
    if (isCi(env)) {
      throw new Error(`golden file ${name} is missing: CI never writes one. Run the test with ${UPDATE_GOLDEN}=1, read the file, and commit it.`);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    throw new Error(`golden file ${name} was missing: written now from this run. Read it, then run again (or run with ${UPDATE_GOLDEN}=1 to write goldens without failing).`);
  }
  expect(actual, `${name} (regenerate with ${UPDATE_GOLDEN}=1, then read the diff)`).toBe(readFileSync(file, 'utf8'));
}
