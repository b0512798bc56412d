import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { cliPath, repoRoot } from '../support/session-libvirt';
import { snapshot, temps } from '../support/etc-snapshot';

/**
 * Issue 14, acceptance 4: a kill -9 at every disk step of an apply and of an
 * undo, and a disk that fills up at every point of an apply (a real small
 * tmpfs): the host ends fully applied or fully undone, the record never says
 * otherwise, and no temporary file is left.
 */
const helper = join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs');
const work = mkdtempSync(join(tmpdir(), 'vitrine-failures-'));
const cleanups: (() => void)[] = [() => rmSync(work, { recursive: true, force: true })];
afterAll(() => cleanups.reverse().forEach((c) => c()));
const family = FAMILIES[0]!; // Debian: GRUB + initramfs-tools, the most files and commands.

type Result = { code: number | null; signal: string | null; stdout: string; stderr: string };
function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: join(work, 'data'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
const runHelper = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [helper, ...args], env);

interface Record_ {
  id: string;
  state: string;
}
async function records(root: string): Promise<Record_[]> {
  const listed = await runHelper(['--root', root, 'backups']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Record_[];
}

let pristine = '';
let plan: HostPlan;
let request: PlanRequest;
let before: Record<string, string>;
let after: Record<string, string>;

/** Whether every planned file has the plan's bytes (applied) or every one its old bytes (undone). */
function stateOf(root: string): 'applied' | 'undone' | 'mixed' {
  const now = snapshot(root);
  if (JSON.stringify(now) === JSON.stringify(before)) return 'undone';
  if (JSON.stringify(now) === JSON.stringify(after)) return 'applied';
  return 'mixed';
}

beforeAll(async () => {
  pristine = join(work, 'pristine');
  writeFamilyRoot(family, pristine);
  before = snapshot(pristine);
  const r = family.request;
  const planned = await run(process.execPath, [cliPath, 'setup', 'plan', '--root', pristine, '--gpu', r.gpu.join(','), '--user', r.user, '--json', ...(r.lookingGlass ? ['--looking-glass', r.lookingGlass.mode, '--lg-size', String(r.lookingGlass.sizeMiB)] : [])]);
  expect(planned.stderr).toBe('');
  plan = JSON.parse(planned.stdout) as HostPlan;
  request = (JSON.parse(readFileSync(join(work, 'data', 'vitrine', 'plans', 'last-plan.json'), 'utf8')) as { request: PlanRequest }).request;
  // The applied state, for comparison: one clean apply on a copy.
  const copy = join(work, 'applied');
  cpSync(pristine, copy, { recursive: true });
  const applied = await runHelper(['--root', copy, 'apply', plan.id, JSON.stringify(request)]);
  expect(applied.code, applied.stderr).toBe(0);
  after = snapshot(copy);
  expect(after).not.toEqual(before);
}, 120_000);

let copies = 0;
function fresh(base = work): string {
  const dir = join(base, `root-${++copies}`);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

describe('kill -9 at every disk step', () => {
  it('of an apply: the record never claims more than happened, and rollback always gets back to every byte', async () => {
    let killed = 0;
    for (let step = 1; step < 400; step++) {
      const root = fresh();
      const result = await runHelper(['--root', root, 'apply', plan.id, JSON.stringify(request)], { VITRINE_HELPER_CRASH: `step:${step}` });
      if (result.signal !== 'SIGKILL') {
        // Past the last step: the apply finished.
        expect(result.code, result.stderr).toBe(0);
        expect(stateOf(root)).toBe('applied');
        break;
      }
      killed++;
      const listed = await records(root);
      // "applied" only when every file is as planned.
      if (listed.some((m) => m.state === 'applied')) expect(stateOf(root), `step ${step}`).toBe('applied');
      const undo = await runHelper(['--root', root, 'rollback']);
      if (listed.length === 0) {
        // Killed before its record existed: nothing was changed, and the temp of the record goes.
        expect(undo.code, `step ${step}: ${undo.stderr}`).toBe(9);
        expect(stateOf(root)).toBe('undone');
      } else expect(undo.code, `step ${step}: ${undo.stderr}`).toBe(0);
      expect(stateOf(root), `step ${step}`).toBe('undone');
      expect(existsSync(join(root, 'var/lib/vitrine/RECOVERY.txt')), `step ${step}`).toBe(false);
      expect(temps(root), `step ${step}`).toEqual([]);
      rmSync(root, { recursive: true });
    }
    // Every file write is several steps (temporary file made, filled, renamed), each backup and record too.
    console.info(`apply killed at each of its ${killed} disk steps`);
    expect(killed).toBeGreaterThan(30);
  }, 900_000);

  it('of an undo: running the undo again always finishes it, and the record says "restoring" until it has', async () => {
    let killed = 0;
    for (let step = 1; step < 200; step++) {
      const root = fresh();
      expect((await runHelper(['--root', root, 'apply', plan.id, JSON.stringify(request)])).code).toBe(0);
      const [record] = await records(root);
      const result = await runHelper(['--root', root, 'rollback', record!.id], { VITRINE_HELPER_CRASH: `step:${step}` });
      if (result.signal !== 'SIGKILL') {
        expect(result.code, result.stderr).toBe(0);
        expect(stateOf(root)).toBe('undone');
        break;
      }
      killed++;
      const state = (await records(root))[0]!.state;
      // Killed right after its last record was written, the undo is complete and says so.
      expect(['applied', 'restoring', 'rolled-back']).toContain(state);
      if (state !== 'applied') expect(stateOf(root), `step ${step}`).toBe('undone');
      const again = await runHelper(['--root', root, 'rollback', record!.id]);
      if (state === 'rolled-back') expect(again.stderr).toContain('was already undone');
      else expect(again.code, `step ${step}: ${again.stderr}`).toBe(0);
      expect((await records(root))[0]!.state).toBe('rolled-back');
      expect(stateOf(root), `step ${step}`).toBe('undone');
      expect(temps(root), `step ${step}`).toEqual([]);
      rmSync(root, { recursive: true });
    }
    console.info(`undo killed at each of its ${killed} disk steps`);
    expect(killed).toBeGreaterThan(10);
  }, 900_000);
});

const asRoot = process.getuid?.() === 0;
describe.skipIf(!asRoot)('a disk that fills up (a real 4 MiB tmpfs, as root)', () => {
  let disk = '';
  beforeAll(() => {
    disk = mkdtempSync(join(tmpdir(), 'vitrine-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0755', 'tmpfs', disk]);
    cleanups.push(() => {
      execFileSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    });
  });

  /** A fresh root on the tmpfs with `pages` blocks left free. */
  function rootWithFree(pages: number): { root: string; free(): void } {
    for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
    const root = fresh(disk);
    const fs = statfsSync(disk);
    const filler = join(disk, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, (fs.bavail - pages) * fs.bsize)));
    return { root, free: () => rmSync(filler) };
  }

  for (const check of ['on', 'off'] as const) {
    it(`with the free-space check ${check}: at every amount of free space, fully applied or fully undone, and said so`, async () => {
      const outcomes = new Map<string, number>();
      for (let pages = 0; pages <= 48; pages++) {
        const { root, free } = rootWithFree(pages);
        const result = await runHelper(['--root', root, 'apply', plan.id, JSON.stringify(request)], { VITRINE_HELPER_SPACE_CHECK: check });
        const label = `${pages} pages free, exit ${result.code}: ${result.stderr.trim()}`;
        outcomes.set(String(result.code), (outcomes.get(String(result.code)) ?? 0) + 1);
        if (result.code === 0) expect(stateOf(root), label).toBe('applied');
        else if (result.code === 14) {
          expect(result.stderr, label).toMatch(/Not enough free space: .* Nothing was changed\./);
          expect(stateOf(root), label).toBe('undone');
        } else if (result.code === 7) {
          expect(result.stderr, label).toMatch(/no space left on device|ENOSPC/i);
          expect(stateOf(root), label).toBe('undone');
        } else {
          // Half-applied is said as such, with the command that finishes the undo; with space again, it does.
          expect(result.code, label).toBe(13);
          expect(result.stderr, label).toContain(`vitrine setup rollback`);
          free();
          expect((await runHelper(['--root', root, 'rollback'])).code, label).toBe(0);
          expect(stateOf(root), label).toBe('undone');
        }
        expect(temps(root), label).toEqual([]);
      }
      console.info(`free-space check ${check}: exit codes over 0..48 free pages: ${JSON.stringify(Object.fromEntries(outcomes))}`);
      expect(outcomes.get('0'), JSON.stringify([...outcomes])).toBeGreaterThan(0);
      if (check === 'on') expect(outcomes.get('14')).toBeGreaterThan(0);
      else expect((outcomes.get('7') ?? 0) + (outcomes.get('13') ?? 0), JSON.stringify([...outcomes])).toBeGreaterThan(0);
    }, 900_000);
  }
});
