import { spawn } from 'node:child_process';
import { access, chown, open, readFile, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { backedUp, backupFile, listManifests, readManifest, writeManifest, type Manifest } from './backups';
import { EXIT } from './codes';
import { HelperError, atomicDelete, atomicWrite, hostPath, makeParents, readOrNull, refuseLinks, removeEmptyDirs, sha256 } from './files';
import { COMMAND_DIRS, ROM_DIR, planSchema, type CheckedPlan } from './policy';
import { PCI_ADDRESS } from '../../common/pci-address';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Tests kill the helper at a given point to prove that rollback still works (only on a scratch root). */
function crashPoint(root: string, point: string): void {
  if (root !== '/' && process.env['VITRINE_HELPER_CRASH'] === point) process.kill(process.pid, 'SIGKILL');
}

async function readPlan(file: string): Promise<CheckedPlan> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile() || info.size > 8 * 1024 * 1024) throw new HelperError(EXIT.invalidPlan, `${file} is not a plan file.`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new HelperError(EXIT.invalidPlan, `${file} is not JSON.`);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new HelperError(parsed.error.issues.some((i) => /may change|may run/.test(i.message)) ? EXIT.pathRefused : EXIT.invalidPlan, `The plan was refused: ${problems}`);
  }
  return parsed.data;
}

async function resolveCommand(name: string): Promise<string> {
  for (const dir of COMMAND_DIRS) {
    const candidate = join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new HelperError(EXIT.commandFailed, `${name} is not installed (looked in ${COMMAND_DIRS.join(', ')}).`);
}

function runCommand(path: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { PATH: COMMAND_DIRS.join(':'), LC_ALL: 'C' } });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Restore a change set: every backed-up file byte for byte (checksums
 * checked), every created file removed, folders the apply created removed when
 * empty. Works from a text console: `vitrine setup rollback`.
 */
async function rollback(root: string, manifest: Manifest): Promise<void> {
  // First make sure nobody changed a file after Vitrine did: their edit would be lost.
  const changed: string[] = [];
  for (const path of [...manifest.files.map((f) => f.path), ...manifest.created]) {
    const current = await readOrNull(hostPath(root, path));
    const now = current === null ? null : sha256(current);
    const original = manifest.files.find((f) => f.path === path)?.sha256 ?? null;
    const planned = manifest.planned?.[path];
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
    await atomicWrite(full, await backedUp(root, manifest, entry), entry.mode);
    if (process.getuid?.() === 0) await chown(full, entry.uid, entry.gid);
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
  await removeEmptyDirs(manifest.createdDirs.map((d) => hostPath(root, d)));
  manifest.state = 'rolled-back';
  await writeManifest(root, manifest);
}

async function apply(root: string, planFile: string): Promise<number> {
  const plan = await readPlan(planFile);
  const writes = plan.steps.filter((s) => s.kind === 'write');
  // Check everything before touching anything: paths, links, and that each file still has the planned bytes.
  for (const step of writes) {
    const full = hostPath(root, step.path);
    await refuseLinks(root, full);
    const current = await readOrNull(full);
    const matches = step.before === null ? current === null : current !== null && current.toString('utf8') === step.before;
    if (!matches) throw new HelperError(EXIT.changedSincePlanned, `${step.path} changed since the plan was made; make a new plan.`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const planned = Object.fromEntries(writes.map((w) => [w.path, w.after === null ? null : sha256(w.after)]));
  const manifest: Manifest = { id: `${stamp}-${plan.id}`, planId: plan.id, reason: plan.reason, createdAt: new Date().toISOString(), state: 'backing-up', files: [], created: [], createdDirs: [], planned };
  await writeManifest(root, manifest);
  for (const step of writes) await backupFile(root, manifest, step.path);
  manifest.state = 'applying';
  await writeManifest(root, manifest);
  out(`backup ${manifest.id}`);
  crashPoint(root, 'after-backup');
  let renamed = 0;
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
        await atomicWrite(full, step.after, step.mode, () => {
          renamed++;
          crashPoint(root, `after-rename:${renamed}`);
        });
      }
      out(`${step.after === null ? 'removed' : 'wrote'} ${step.path}`);
    }
  } catch (error) {
    out(`failed: ${(error as Error).message}; restoring the backup`);
    await rollback(root, manifest);
    manifest.state = 'failed';
    await writeManifest(root, manifest);
    throw new HelperError(EXIT.ioFailure, `Writing failed and was undone: ${(error as Error).message}`);
  }
  manifest.state = 'applied';
  await writeManifest(root, manifest);
  for (const step of plan.steps) {
    if (step.kind !== 'run') continue;
    if (root !== '/') {
      out(`skipped on a scratch root: ${step.argv.join(' ')}`);
      continue;
    }
    out(`running: ${step.argv.join(' ')}`);
    const code = await runCommand(await resolveCommand(step.argv[0]!), step.argv.slice(1));
    if (code !== 0) throw new HelperError(EXIT.commandFailed, `${step.argv[0]} failed (exit ${code}). The files were changed; undo with: vitrine setup rollback ${manifest.id}`);
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

const USAGE = 'usage: vitrine-helper [--root DIR] apply PLAN_FILE | rollback [ID] | backups | dump-rom ADDRESS OUT | read-log NAME';

/** The helper's entry: parse the argv (no shell ever), check the caller, run one verb. */
export async function helperMain(argv: string[]): Promise<number> {
  let root = '/';
  const args = [...argv];
  if (args[0] === '--root') {
    root = args[1] ?? '';
    args.splice(0, 2);
    if (!root.startsWith('/') || root === '/') {
      process.stderr.write('vitrine-helper: --root takes an absolute scratch folder\n');
      return EXIT.usage;
    }
  }
  const [verb, ...rest] = args;
  try {
    if (root === '/' && process.getuid?.() !== 0) throw new HelperError(EXIT.notRoot, 'The helper must run as root (the app starts it with pkexec).');
    switch (verb) {
      case 'apply':
        if (rest.length !== 1) throw new HelperError(EXIT.usage, USAGE);
        return await apply(root, rest[0]!);
      case 'rollback': {
        const all = await listManifests(root);
        const manifest = rest[0] ? await readManifest(root, rest[0]) : [...all].reverse().find((m) => m.state !== 'rolled-back' && m.state !== 'failed');
        if (!manifest) throw new HelperError(EXIT.noBackup, rest[0] ? `No backup ${rest[0]}.` : 'No change to undo.');
        if (manifest.state === 'rolled-back') throw new HelperError(EXIT.noBackup, `${manifest.id} was already undone.`);
        await rollback(root, manifest);
        out(`rolled back ${manifest.id}`);
        return EXIT.ok;
      }
      case 'backups':
        out(JSON.stringify(await listManifests(root)));
        return EXIT.ok;
      case 'dump-rom':
        if (rest.length !== 2) throw new HelperError(EXIT.usage, USAGE);
        return await dumpRom(root, rest[0]!, rest[1]!);
      case 'read-log':
        if (rest.length !== 1) throw new HelperError(EXIT.usage, USAGE);
        return await readLog(root, rest[0]!);
      default:
        throw new HelperError(EXIT.usage, `Unknown verb '${verb ?? ''}'. ${USAGE}`);
    }
  } catch (error) {
    const code = error instanceof HelperError ? error.code : EXIT.ioFailure;
    process.stderr.write(`vitrine-helper: ${(error as Error).message}\n`);
    return code;
  }
}
