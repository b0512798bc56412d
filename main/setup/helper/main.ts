import { spawn } from 'node:child_process';
import { access, lstat, open, realpath, stat, statfs, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { HostPlan, PlanRequest, PlanWrite } from '../../../shared/api';
import { VitrineError } from '../../common/errors';
import { PCI_ADDRESS } from '../../common/pci-address';
import { hostRoots, type HostRoots } from '../../host/roots';
import { planOnHost, scratchHostRoots } from '../host-plan';
import { backedUp, backupFile, backupRoot, listManifests, readManifest, writeManifest, type Manifest } from './backups';
import { EXIT } from './codes';
import { HelperError, atomicDelete, atomicWrite, hostPath, makeParents, readOrNull, refuseLinks, refuseSpecial, refuseUnsafeDirs, removeEmptyDirs, removeStaleTemps, removeTempsUnder, sha256, writeHooks } from './files';
import { ALLOWED_FILES, COMMAND_DIRS, MAX_REQUEST_BYTES, PLAN_ID, ROM_DIR, commandRefusal, helperRequestSchema, planRefusals } from './policy';
import { qmPower, qmRecords, qmSet, qmUndo } from './qm';
import { planUndo } from '../undo';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Tests kill the helper at a given point to prove that rollback still works (only on a scratch root). */
function crashPoint(root: string, point: string): void {
  if (root !== '/' && process.env['VITRINE_HELPER_CRASH'] === point) process.kill(process.pid, 'SIGKILL');
}

/** Every disk step so far; `VITRINE_HELPER_CRASH=step:N` kills the helper at the N-th (only on a scratch root). */
let steps = 0;
function armCheckpoints(root: string): void {
  if (root === '/') return;
  writeHooks.checkpoint = () => {
    steps++;
    if (process.env['VITRINE_HELPER_CRASH'] === `step:${steps}`) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * Refuse before backing up when the disks cannot hold the backups (two
 * copies of each file: the change set's and, the first time, the original)
 * and the new files, counted in whole blocks per file with room for the
 * records. An apply that cannot finish never starts.
 */
async function checkSpace(root: string, writes: PlanWrite[]): Promise<void> {
  const need = new Map<number, { blocks: number; bsize: number; free: number; where: string }>();
  const add = async (path: string, bytes: number): Promise<void> => {
    let dir = dirname(path);
    while (!(await stat(dir).catch(() => null)) && dir !== dirname(dir)) dir = dirname(dir);
    const [info, fs] = await Promise.all([stat(dir), statfs(dir)]);
    const entry = need.get(info.dev) ?? { blocks: 0, bsize: fs.bsize, free: fs.bavail, where: dir };
    entry.blocks += Math.ceil(bytes / fs.bsize) + 1;
    need.set(info.dev, entry);
  };
  const backups = backupRoot(root);
  for (const step of writes) {
    const size = Buffer.byteLength(step.before ?? '');
    await add(hostPath(root, step.path), Buffer.byteLength(step.after ?? ''));
    if (step.before !== null) {
      await add(join(backups, 'x', 'files', step.path), size);
      await add(join(backups, 'original', step.path), size);
    }
  }
  // The change set's record, written a few times as it goes.
  await add(join(backups, 'x', 'manifest.json'), 64 * 1024);
  for (const entry of need.values()) {
    if (entry.blocks > entry.free) {
      throw new HelperError(
        EXIT.noSpace,
        `Not enough free space: the change and its backups need about ${Math.ceil((entry.blocks * entry.bsize) / 1024)} KiB on the disk of ${root === '/' ? entry.where : entry.where.slice(root.length) || '/'}, and ${Math.floor((entry.free * entry.bsize) / 1024)} KiB are free. Nothing was changed.`,
      );
    }
  }
}

/** Tests make a write fail at a given point to prove failures are undone and leave no temp file (only on a scratch root). */
function faultPoint(root: string, point: string): void {
  if (root !== '/' && process.env['VITRINE_HELPER_FAIL'] === point) throw Object.assign(new Error(`no space left on device (injected at ${point})`), { code: 'ENOSPC' });
}

/** The request argument of `apply`: small JSON, checked by the strict request schema. */
function parseRequest(text: string): PlanRequest {
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) throw new HelperError(EXIT.invalidPlan, `The request is over ${MAX_REQUEST_BYTES} bytes; the helper takes the Host page's request, not a plan.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HelperError(EXIT.invalidPlan, 'The request is not JSON: apply takes PLAN_ID and the request as JSON (vitrine setup apply passes both).');
  }
  const parsed = helperRequestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    throw new HelperError(EXIT.invalidPlan, `The request was refused: ${problems}`);
  }
  return parsed.data;
}

/** Where the helper reads the host it plans for: the real one, or a scratch root's own tree (the rule the app uses). */
function helperHostRoots(root: string): HostRoots {
  return root === '/' ? hostRoots() : (scratchHostRoots(root) ?? hostRoots());
}

/** The helper's own plan of the host for this request (the same pure planner as the app's). */
async function planForRequest(root: string, request: PlanRequest): Promise<HostPlan> {
  try {
    return await planOnHost(request, root, helperHostRoots(root));
  } catch (error) {
    if (error instanceof VitrineError) {
      const code = error.kind === 'symlink' || error.kind === 'not-a-file' ? EXIT.pathRefused : EXIT.invalidPlan;
      throw new HelperError(code, `${error.message} ${error.hint}`.trim());
    }
    throw error;
  }
}

/** A program's path in COMMAND_DIRS (never PATH), as seen inside `root` ('/' for this host). */
async function resolveCommand(root: string, name: string): Promise<string> {
  for (const dir of COMMAND_DIRS) {
    const candidate = join(dir, name);
    if (await access(join(root, candidate), constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new HelperError(EXIT.commandFailed, `${name} is not installed${root === '/' ? '' : ` in ${root}`} (looked in ${COMMAND_DIRS.join(', ')}).`);
}

function runCommand(path: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { PATH: COMMAND_DIRS.join(':'), LC_ALL: 'C' } });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Temporary files a killed helper left among its own records (the backups' folder). */
async function sweepTemps(root: string): Promise<void> {
  const base = backupRoot(root);
  if (!(await lstat(base).catch(() => null))) return;
  await refuseLinks(root, base);
  await checkOwn(base, 'folder');
  for (const temp of await removeTempsUnder(base)) out(`removed a temporary file: ${root === '/' ? temp : temp.slice(root.length)}`);
}

/**
 * Run one command of a plan (apply's, and rollback's regenerate and inverse
 * commands) and return its exit code, or null when it was not run. The argv
 * must match a template (commandRefusal). On this host the program is found
 * in COMMAND_DIRS and run as is. On a scratch root it is skipped, unless asked
 * with `--run-in-root` (never elevated: --root is refused under pkexec): then
 * it runs inside that root as `chroot ROOT PROGRAM ARGS…`, the program found
 * in the root's own COMMAND_DIRS (the proof on a real Debian root in CI).
 */
export async function runPlanCommand(root: string, argv: readonly string[], options: { inRoot: boolean }): Promise<number | null> {
  const refusal = commandRefusal(argv);
  if (refusal) throw new HelperError(EXIT.pathRefused, `The command was refused: ${refusal}`);
  const [name, ...args] = argv as [string, ...string[]];
  if (root === '/') {
    out(`running: ${argv.join(' ')}`);
    return runCommand(await resolveCommand('/', name), args);
  }
  // A runtime kernel value is this machine's, not the root's: never set from a scratch root, even with --run-in-root.
  if (!options.inRoot || name === 'sysctl') {
    out(`skipped on a scratch root: ${argv.join(' ')}`);
    return null;
  }
  if (process.env['PKEXEC_UID'] !== undefined) throw new HelperError(EXIT.rootRefused, '--run-in-root is refused under pkexec.');
  const program = await resolveCommand(root, name);
  out(`running in ${root}: ${argv.join(' ')}`);
  return runCommand(await resolveCommand('/', 'chroot'), [root, program, ...args]);
}

/** Folders and files of the helper's own records must be its own and writable by nobody else. */
async function checkOwn(full: string, what: 'file' | 'folder'): Promise<void> {
  const info = await lstat(full).catch(() => null);
  const uid = process.getuid?.() ?? 0;
  const ok = info !== null && (what === 'file' ? info.isFile() : info.isDirectory()) && info.uid === uid && (info.mode & 0o022) === 0;
  if (!ok) throw new HelperError(EXIT.pathRefused, `${full} is not a record the helper wrote (it must be a ${what} owned by uid ${uid}, writable by no one else); rollback refuses it.`);
}

/**
 * A change set's record for rollback: only from the helper's backup folder,
 * through no link, owned by the helper's user and writable by no one else,
 * and valid (every path on the allow-list, plain modes, numeric owners).
 */
async function ownManifest(root: string, id: string): Promise<Manifest> {
  if (!/^[\w.-]{1,200}$/.test(id) || id === '.' || id === '..') throw new HelperError(EXIT.noBackup, `'${id}' is not a change set id (vitrine setup backups lists them).`);
  const base = backupRoot(root);
  const file = join(base, id, 'manifest.json');
  await refuseLinks(root, file);
  await refuseUnsafeDirs(root, file);
  await checkOwn(base, 'folder');
  if (!(await lstat(join(base, id)).catch(() => null))) throw new HelperError(EXIT.noBackup, `No backup ${id}.`);
  await checkOwn(join(base, id), 'folder');
  await checkOwn(file, 'file');
  const manifest = await readManifest(root, id);
  if (!manifest || manifest.id !== id) throw new HelperError(EXIT.invalidPlan, `The record of ${id} is not valid (a path outside the allow-list, a mode or owner that is not plain, or not JSON); rollback refuses it. Restore by hand from ${file.replace(/manifest\.json$/, 'files')}.`);
  return manifest;
}

/**
 * Restore a change set: every backed-up file byte for byte (checksums
 * checked) with its recorded mode, owner and group, every created file
 * removed, folders the apply created removed when empty, and any temporary
 * file a killed apply left next to them. Works from a text console:
 * `vitrine setup rollback`.
 */
async function restoreFiles(root: string, manifest: Manifest): Promise<void> {
  // First make sure nobody changed a file after Vitrine did: their edit would be lost.
  const changed: string[] = [];
  for (const path of [...manifest.files.map((f) => f.path), ...manifest.created]) {
    const full = hostPath(root, path);
    await refuseLinks(root, full);
    await refuseUnsafeDirs(root, full);
    const current = await readOrNull(full);
    const now = current === null ? null : sha256(current);
    const original = manifest.files.find((f) => f.path === path)?.sha256 ?? null;
    const planned = manifest.planned[path];
    if (now !== original && now !== planned) changed.push(path);
  }
  if (changed.length > 0) {
    throw new HelperError(
      EXIT.changedSincePlanned,
      `${changed.join(', ')} changed after Vitrine's change; undoing would lose that edit. Restore by hand from ${hostPath(root, '/var/lib/vitrine/backups')}/${manifest.id}/files, or revert the edit first.`,
    );
  }
  for (const entry of manifest.files) {
    const full = hostPath(root, entry.path);
    await refuseLinks(root, full);
    await atomicWrite(full, await backedUp(root, manifest, entry), entry.mode, { exact: { mode: entry.mode, uid: entry.uid, gid: entry.gid } });
    out(`restored ${entry.path}`);
  }
  for (const path of manifest.created) {
    const full = hostPath(root, path);
    await refuseLinks(root, full);
    if ((await readOrNull(full)) !== null) {
      await atomicDelete(full);
      out(`removed ${path}`);
    }
  }
  for (const path of new Set([...manifest.files.map((f) => f.path), ...manifest.created, ...Object.keys(manifest.planned)])) {
    const full = hostPath(root, path);
    await refuseLinks(root, full);
    for (const temp of await removeStaleTemps(full)) out(`removed a temporary file: ${root === '/' ? temp : temp.slice(root.length)}`);
  }
  await removeEmptyDirs(manifest.createdDirs.map((d) => hostPath(root, d)));
}

/**
 * Undo a change set as its undo plan says (the id the user reviewed, when
 * given, must be this record's): files back first, recorded as `restoring`,
 * then the inverse commands (kernel parameters off through the bootloader's
 * tool, GRUB's menu and the initramfs regenerated), then `rolled-back`. A
 * kill in between leaves `restoring`, and running the undo again finishes it.
 */
async function undo(root: string, manifest: Manifest, expected: string | undefined, inRoot = false): Promise<void> {
  const plan = planUndo(manifest);
  if (expected !== undefined && plan.id !== expected) {
    throw new HelperError(
      EXIT.planMismatch,
      `The undo of ${manifest.id} is not the one you reviewed (reviewed ${expected.slice(0, 12)}, now ${plan.id.slice(0, 12)}): its record changed. Nothing was changed; review the undo again.`,
    );
  }
  out(`undo ${plan.id}`);
  await restoreFiles(root, manifest);
  manifest.state = 'restoring';
  await writeManifest(root, manifest);
  crashPoint(root, 'undo-restored');
  for (const step of plan.steps) {
    if (step.kind !== 'run') continue;
    const refusal = commandRefusal(step.argv);
    if (refusal) throw new HelperError(EXIT.pathRefused, `The undo was refused: ${refusal}`);
    const code = await runPlanCommand(root, step.argv, { inRoot });
    if (code !== null && code !== 0) {
      throw new HelperError(
        EXIT.commandFailed,
        `The files are restored, but ${step.argv.join(' ')} failed (exit ${code}), so the boot may still carry the change. Fix what the output says, then run the undo again: vitrine setup rollback ${manifest.id}${root === '/' ? '' : ` --root ${root}`}`,
      );
    }
  }
  manifest.state = 'rolled-back';
  await writeManifest(root, manifest);
}

/**
 * Apply a request: plan it again here, from the host as it is now, with the
 * same pure planner the app used; refuse unless that plan has the id the user
 * reviewed (the id hashes every path, byte, mode and argv), so no plan ever
 * crosses from the user's side. Then back up, write, and run the commands of
 * that plan (fixed templates, checked again).
 */
async function apply(root: string, id: string, requestText: string, inRoot = false): Promise<number> {
  if (!PLAN_ID.test(id)) throw new HelperError(EXIT.usage, `'${id.slice(0, 80)}' is not a plan id (64 hex digits). ${USAGE}`);
  const request = parseRequest(requestText);
  // Read nothing through a folder another user could change (they could point it anywhere meanwhile).
  for (const path of ALLOWED_FILES) await refuseUnsafeDirs(root, hostPath(root, path));
  const plan = await planForRequest(root, request);
  if (plan.id !== id) {
    throw new HelperError(
      EXIT.planMismatch,
      `This host's plan for the request is not the plan you reviewed (reviewed ${id.slice(0, 12)}, now ${plan.id.slice(0, 12)}): a file changed since, or the plan was swapped. Nothing was changed; make a new plan, review it, and apply that.`,
    );
  }
  const problems = planRefusals(plan);
  if (problems.length > 0) throw new HelperError(EXIT.pathRefused, `The plan was refused: ${problems.join('; ')}`);
  out(`plan ${plan.id}`);
  if (plan.steps.length === 0) {
    out('nothing to change');
    return EXIT.ok;
  }
  const writes = plan.steps.filter((s): s is PlanWrite => s.kind === 'write');
  // Check everything before touching anything: links, regular files, and that each file still has the planned bytes.
  for (const step of writes) {
    const full = hostPath(root, step.path);
    await refuseLinks(root, full);
    await refuseUnsafeDirs(root, full);
    await refuseSpecial(full);
    const current = await readOrNull(full);
    const matches = step.before === null ? current === null : current !== null && current.toString('utf8') === step.before;
    if (!matches) throw new HelperError(EXIT.changedSincePlanned, `${step.path} changed since the plan was made; make a new plan.`);
  }
  await refuseLinks(root, join(backupRoot(root), 'manifest'));
  await refuseUnsafeDirs(root, join(backupRoot(root), 'manifest'));
  await sweepTemps(root);
  // Tests turn the check off on a scratch root to prove that a disk filling up half-way is still undone and reported as it is.
  if (root === '/' || process.env['VITRINE_HELPER_SPACE_CHECK'] !== 'off') await checkSpace(root, writes);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const planned = Object.fromEntries(writes.map((w) => [w.path, w.after === null ? null : sha256(w.after)]));
  const commands = plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : []));
  const inverses = plan.steps.flatMap((s) => (s.kind === 'run' && s.inverse ? [s.inverse] : []));
  const manifest: Manifest = { id: `${stamp}-${plan.id.slice(0, 12)}`, planId: plan.id, reason: plan.reason, createdAt: new Date().toISOString(), state: 'backing-up', files: [], created: [], createdDirs: [], planned, commands, ...(inverses.length ? { inverses } : {}) };
  await writeManifest(root, manifest);
  for (const step of writes) await backupFile(root, manifest, step.path);
  manifest.state = 'applying';
  await writeManifest(root, manifest);
  out(`backup ${manifest.id}`);
  crashPoint(root, 'after-backup');
  let renamed = 0;
  let written = 0;
  try {
    for (const step of writes) {
      const full = hostPath(root, step.path);
      if (step.after === null) await atomicDelete(full);
      else {
        const made = await makeParents(root, full);
        if (made.length) {
          manifest.createdDirs.push(...made.map((d) => (root === '/' ? d : d.slice(root.length))));
          await writeManifest(root, manifest);
        }
        await atomicWrite(full, step.after, step.mode, {
          onTempWritten: () => {
            written++;
            crashPoint(root, `temp-written:${written}`);
            faultPoint(root, `temp-written:${written}`);
          },
          onRenamed: () => crashPoint(root, `after-rename:${++renamed}`),
        });
      }
      out(`${step.after === null ? 'removed' : 'wrote'} ${step.path}`);
    }
    manifest.state = 'applied';
    await writeManifest(root, manifest);
  } catch (error) {
    out(`failed: ${(error as Error).message}; restoring the backup`);
    try {
      await restoreFiles(root, manifest);
      manifest.state = 'failed';
      await writeManifest(root, manifest);
    } catch (undo) {
      throw new HelperError(
        EXIT.halfApplied,
        `Writing failed (${(error as Error).message}) and undoing it failed too (${(undo as Error).message}): the host is half-applied. Finish the undo with: vitrine setup rollback ${manifest.id}${root === '/' ? '' : ` --root ${root}`}`,
      );
    }
    throw new HelperError(EXIT.ioFailure, `Writing failed and was undone: ${(error as Error).message}`);
  }
  for (const step of plan.steps) {
    if (step.kind !== 'run') continue;
    const code = await runPlanCommand(root, step.argv, { inRoot });
    if (code !== null && code !== 0) throw new HelperError(EXIT.commandFailed, `${step.argv[0]} failed (exit ${code}). The files were changed; undo with: vitrine setup rollback ${manifest.id}`);
  }
  out(`applied ${manifest.id}`);
  return EXIT.ok;
}

/** Read a GPU's ROM through sysfs (enable, read, disable in a finally) and check its 55 AA header. */
async function dumpRom(root: string, address: string, output: string): Promise<number> {
  if (!PCI_ADDRESS.test(address)) throw new HelperError(EXIT.usage, `'${address}' is not a PCI address (0000:01:00.0).`);
  if (!output.startsWith(`${ROM_DIR}/`) || !/^[\w.-]+\.rom$/.test(output.slice(ROM_DIR.length + 1))) throw new HelperError(EXIT.pathRefused, `ROMs are written to ${ROM_DIR}/NAME.rom only.`);
  const romFile = hostPath(root, `/sys/bus/pci/devices/${address}/rom`);
  if (!(await stat(romFile).catch(() => null))) throw new HelperError(EXIT.romInvalid, `${address} has no ROM to read.`);
  let data: Buffer;
  await writeFile(romFile, '1');
  try {
    const handle = await open(romFile, 'r');
    try {
      data = await handle.readFile();
    } finally {
      await handle.close();
    }
  } finally {
    await writeFile(romFile, '0');
  }
  if (data.length < 512 || data[0] !== 0x55 || data[1] !== 0xaa) throw new HelperError(EXIT.romInvalid, `The ROM of ${address} has no 55 AA header (${data.length} bytes): not a valid image. Try again with the card not in use.`);
  const full = hostPath(root, output);
  await refuseLinks(root, full);
  await refuseUnsafeDirs(root, full);
  await makeParents(root, full);
  await atomicWrite(full, data, 0o644);
  out(`wrote ${output} (${data.length} bytes)`);
  return EXIT.ok;
}

async function readLog(root: string, name: string): Promise<number> {
  if (!name || name.length > 200 || name.includes('/') || name.startsWith('.') || /\p{Cc}/u.test(name)) throw new HelperError(EXIT.usage, 'Not a VM name.');
  const full = hostPath(root, `/var/log/libvirt/qemu/${name}.log`);
  await refuseLinks(root, full);
  const data = await readOrNull(full);
  if (data === null) throw new HelperError(EXIT.noBackup, `There is no log for '${name}'.`);
  process.stdout.write(data.subarray(Math.max(0, data.length - 512 * 1024)));
  return EXIT.ok;
}

const USAGE = 'usage: vitrine-helper [--root DIR [--run-in-root]] apply PLAN_ID REQUEST_JSON | rollback [ID] [--expect UNDO_ID] | backups | dump-rom ADDRESS OUT | read-log NAME | qm-set VMID PREVIEW_ID REQUEST_JSON | qm-undo [ID] | qm-records | qm-power VMID start|shutdown|stop';

/**
 * Check `--root DIR`: never under pkexec (a user must not point root's writes
 * at a folder they control), and only a plain folder: absolute, written as
 * its canonical path (not `//`, `/.`, `a/../b` or with a trailing slash), not
 * a link, with no link on its way, and not `/` itself however written.
 */
async function checkRoot(raw: string): Promise<string> {
  if (process.env['PKEXEC_UID'] !== undefined) {
    throw new HelperError(EXIT.rootRefused, '--root is refused under pkexec: the elevated helper only changes this host. Run it without pkexec (as your user) to work on a scratch folder.');
  }
  const refuse = (why: string): never => {
    throw new HelperError(EXIT.rootRefused, `--root ${JSON.stringify(raw)} is refused: ${why}. Give a scratch folder as an absolute path without links (leave --root out to change this host).`);
  };
  if (!raw.startsWith('/')) refuse('it is not an absolute path');
  if (resolve(raw) === '/') refuse('it is / (this host)');
  if (resolve(raw) !== raw) refuse(`it is not written plainly (that is ${resolve(raw)})`);
  const info = await lstat(raw).catch(() => null);
  if (!info) refuse('it does not exist');
  if (info!.isSymbolicLink()) refuse('it is a symbolic link');
  if (!info!.isDirectory()) refuse('it is not a folder');
  const real = await realpath(raw);
  if (real === '/') refuse('it resolves to / (this host)');
  if (real !== raw) refuse(`a link on its way leads to ${real}`);
  return raw;
}

/** The helper's entry: parse the argv (no shell ever), check the caller, run one verb. */
export async function helperMain(argv: string[]): Promise<number> {
  let root = '/';
  const args = [...argv];
  try {
    if (args[0] === '--root') {
      root = await checkRoot(args[1] ?? '');
      args.splice(0, 2);
    }
    // Run the plan's commands inside the scratch root with chroot (as root, not elevated) instead of skipping them.
    const inRoot = args[0] === '--run-in-root';
    if (inRoot && root === '/') throw new HelperError(EXIT.usage, `--run-in-root goes after --root DIR: it runs a scratch root's commands inside that root. ${USAGE}`);
    if (inRoot) args.shift();
    if (inRoot && process.getuid?.() !== 0) throw new HelperError(EXIT.notRoot, '--run-in-root runs the commands with chroot, which needs root: run the helper as root (without pkexec), or leave --run-in-root out to skip them.');
    const [verb, ...rest] = args;
    armCheckpoints(root);
    if (root === '/' && process.getuid?.() !== 0) throw new HelperError(EXIT.notRoot, 'The helper must run as root (the app starts it with pkexec).');
    switch (verb) {
      case 'apply':
        if (rest.length !== 2) throw new HelperError(EXIT.usage, `apply takes the plan id and the request (no plan file). ${USAGE}`);
        return await apply(root, rest[0]!, rest[1]!, inRoot);
      case 'rollback': {
        const expectAt = rest.indexOf('--expect');
        const expected = expectAt >= 0 ? rest.splice(expectAt, 2)[1] : undefined;
        if (expectAt >= 0 && !PLAN_ID.test(expected ?? '')) throw new HelperError(EXIT.usage, `--expect takes the undo plan's id (64 hex digits). ${USAGE}`);
        if (rest.length > 1) throw new HelperError(EXIT.usage, USAGE);
        await sweepTemps(root);
        let id = rest[0];
        if (id === undefined) {
          const all = await listManifests(root);
          id = [...all].reverse().find((m) => m.state !== 'rolled-back' && m.state !== 'failed')?.id;
          if (id === undefined) throw new HelperError(EXIT.noBackup, 'No change to undo.');
        }
        const manifest = await ownManifest(root, id);
        if (manifest.state === 'rolled-back') throw new HelperError(EXIT.noBackup, `${manifest.id} was already undone.`);
        await undo(root, manifest, expected, inRoot);
        out(`rolled back ${manifest.id}`);
        return EXIT.ok;
      }
      case 'backups':
        if (rest.length !== 0) throw new HelperError(EXIT.usage, USAGE);
        out(JSON.stringify(await listManifests(root)));
        return EXIT.ok;
      case 'dump-rom':
        if (rest.length !== 2) throw new HelperError(EXIT.usage, USAGE);
        return await dumpRom(root, rest[0]!, rest[1]!);
      case 'read-log':
        if (rest.length !== 1) throw new HelperError(EXIT.usage, USAGE);
        return await readLog(root, rest[0]!);
      case 'qm-set':
        if (rest.length !== 3) throw new HelperError(EXIT.usage, USAGE);
        return await qmSet(root, rest[0]!, rest[1]!, rest[2]!);
      case 'qm-undo':
        if (rest.length > 1) throw new HelperError(EXIT.usage, USAGE);
        return await qmUndo(root, rest[0]);
      case 'qm-records':
        if (rest.length !== 0) throw new HelperError(EXIT.usage, USAGE);
        out(JSON.stringify(await qmRecords(root)));
        return EXIT.ok;
      case 'qm-power':
        if (rest.length !== 2) throw new HelperError(EXIT.usage, USAGE);
        return await qmPower(root, rest[0]!, rest[1]!);
      default:
        throw new HelperError(EXIT.usage, `Unknown verb '${verb ?? ''}'. ${USAGE}`);
    }
  } catch (error) {
    const code = error instanceof HelperError ? error.code : EXIT.ioFailure;
    process.stderr.write(`vitrine-helper: ${(error as Error).message}\n`);
    return code;
  }
}
