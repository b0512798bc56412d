import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQmConfig } from '../../proxmox/config';
import { previewQmEdit, proxmoxEditRequest, VMID, type QmPreview } from '../../proxmox/edit';
import { EXIT } from './codes';
import { HelperError, atomicWrite, hostPath, refuseLinks, refuseUnsafeDirs } from './files';
import { COMMAND_DIRS, MAX_REQUEST_BYTES, PLAN_ID, commandRefusal } from './policy';

/** Where the helper keeps what each `qm set` changed, for undo. */
export const QM_RECORD_DIR = '/var/lib/vitrine/proxmox';

/** What the helper keeps of a `qm set` it ran: the lines before and after, and the argv that undoes it. */
export interface QmRecord {
  id: string;
  vmid: number;
  previewId: string;
  createdAt: string;
  state: 'applying' | 'applied' | 'failed' | 'undone';
  changes: QmPreview['changes'];
  argv: string[];
  undoArgv: string[];
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * qm on this host is looked up in the system folders only (never PATH); on a
 * scratch root (tests, run as the user, never elevated) in the same folders
 * under the root, where a stand-in qm answers.
 */
async function qmPath(root: string): Promise<string> {
  for (const dir of COMMAND_DIRS) {
    const candidate = hostPath(root, join(dir, 'qm'));
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new HelperError(EXIT.commandFailed, `qm is not installed (looked in ${COMMAND_DIRS.join(', ')}${root === '/' ? '' : ` under ${root}`}): this is not a Proxmox VE host.`);
}

/** Run qm with an argv checked against its template; its output collected. */
async function qm(root: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const refusal = commandRefusal(argv);
  if (refusal) throw new HelperError(EXIT.pathRefused, `Refused: ${refusal}.`);
  const path = await qmPath(root);
  return new Promise((resolve) => {
    const child = spawn(path, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: COMMAND_DIRS.join(':'), LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', () => resolve({ code: 127, stdout, stderr }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function parseVmid(text: string): number {
  const parsed = VMID.safeParse(text);
  if (!parsed.success || !/^\d+$/.test(text)) throw new HelperError(EXIT.usage, `'${text.slice(0, 40)}' is not a VM id (100 to 999999999).`);
  return parsed.data;
}

async function readConfig(root: string, vmid: number): Promise<Map<string, string>> {
  const result = await qm(root, ['qm', 'config', String(vmid)]);
  if (result.code !== 0) throw new HelperError(EXIT.commandFailed, `qm config ${vmid} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  return parseQmConfig(result.stdout);
}

async function recordsDir(root: string): Promise<string> {
  const dir = hostPath(root, QM_RECORD_DIR);
  await refuseLinks(root, join(dir, 'x'));
  await refuseUnsafeDirs(root, join(dir, 'x'));
  return dir;
}

async function writeRecord(root: string, record: QmRecord): Promise<void> {
  const dir = await recordsDir(root);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await atomicWrite(join(dir, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`, 0o644);
}

/** A record the helper wrote: its own file, through no link, writable by no one else, of the right shape. */
async function readRecord(root: string, id: string): Promise<QmRecord> {
  if (!/^[\w.-]{1,200}$/.test(id) || id.startsWith('.')) throw new HelperError(EXIT.noBackup, `'${id.slice(0, 80)}' is not a record id (vitrine proxmox records lists them).`);
  const file = join(await recordsDir(root), `${id}.json`);
  const info = await lstat(file).catch(() => null);
  if (!info) throw new HelperError(EXIT.noBackup, `No record ${id}.`);
  if (!info.isFile() || info.uid !== (process.getuid?.() ?? 0) || (info.mode & 0o022) !== 0) throw new HelperError(EXIT.pathRefused, `${file} is not a record the helper wrote; undo refuses it.`);
  let record: QmRecord;
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as QmRecord;
  } catch {
    throw new HelperError(EXIT.invalidPlan, `${file} is not JSON; undo refuses it.`);
  }
  if (record.id !== id || commandRefusal(record.undoArgv) !== null || record.undoArgv[2] !== String(record.vmid)) throw new HelperError(EXIT.invalidPlan, `${file} is not a valid record; undo refuses it.`);
  return record;
}

/**
 * `qm-set VMID PREVIEW_ID REQUEST`: read the VM's configuration here, make the
 * preview again with the same pure function the app showed, refuse unless it
 * has the reviewed id, keep the previous lines, then run that `qm set`.
 */
export async function qmSet(root: string, vmidText: string, previewId: string, requestText: string): Promise<number> {
  const vmid = parseVmid(vmidText);
  if (!PLAN_ID.test(previewId)) throw new HelperError(EXIT.usage, `'${previewId.slice(0, 80)}' is not a preview id (64 hex digits).`);
  if (Buffer.byteLength(requestText) > MAX_REQUEST_BYTES) throw new HelperError(EXIT.invalidPlan, `The request is over ${MAX_REQUEST_BYTES} bytes.`);
  let json: unknown;
  try {
    json = JSON.parse(requestText);
  } catch {
    throw new HelperError(EXIT.invalidPlan, 'The request is not JSON (vitrine proxmox apply passes it).');
  }
  const parsed = proxmoxEditRequest.safeParse(json);
  if (!parsed.success) throw new HelperError(EXIT.invalidPlan, `The request was refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
  if (parsed.data.vmid !== vmid) throw new HelperError(EXIT.invalidPlan, `The request is for VM ${parsed.data.vmid}, not ${vmid}.`);
  const preview = previewQmEdit(parsed.data, await readConfig(root, vmid));
  if (preview.id !== previewId) {
    throw new HelperError(EXIT.planMismatch, `VM ${vmid}'s configuration gives another preview than the one you reviewed (reviewed ${previewId.slice(0, 12)}, now ${preview.id.slice(0, 12)}): it changed since. Nothing was changed; preview again.`);
  }
  out(`preview ${preview.id}`);
  if (preview.argv.length === 0) {
    out('nothing to change');
    return EXIT.ok;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const record: QmRecord = { id: `${stamp}-${vmid}`, vmid, previewId, createdAt: new Date().toISOString(), state: 'applying', changes: preview.changes, argv: preview.argv, undoArgv: preview.undoArgv };
  await writeRecord(root, record);
  out(`running: ${preview.argv.join(' ')}`);
  const result = await qm(root, preview.argv);
  process.stdout.write(result.stdout);
  if (result.code !== 0) {
    record.state = 'failed';
    await writeRecord(root, record);
    throw new HelperError(EXIT.commandFailed, `qm set failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  record.state = 'applied';
  await writeRecord(root, record);
  out(`applied ${record.id}`);
  return EXIT.ok;
}

/** Records, oldest first. */
export async function qmRecords(root: string): Promise<QmRecord[]> {
  const dir = await recordsDir(root);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const records: QmRecord[] = [];
  for (const name of names) records.push(await readRecord(root, name.slice(0, -5)));
  return records;
}

/**
 * `qm-undo [ID]`: put back the lines a `qm set` changed — the previous values
 * with `qm set`, the added keys with `--delete` — unless someone changed them
 * since (their edit would be lost).
 */
export async function qmUndo(root: string, id: string | undefined): Promise<number> {
  const record = id !== undefined ? await readRecord(root, id) : [...(await qmRecords(root))].reverse().find((r) => r.state === 'applied');
  if (!record) throw new HelperError(EXIT.noBackup, 'No VM change to undo.');
  if (record.state === 'undone') throw new HelperError(EXIT.noBackup, `${record.id} was already undone.`);
  const config = await readConfig(root, record.vmid);
  const changed = record.changes.filter((c) => config.get(c.key) !== c.after);
  if (changed.length > 0) {
    throw new HelperError(EXIT.changedSincePlanned, `${changed.map((c) => c.key).join(', ')} of VM ${record.vmid} changed after Vitrine's change; undoing would lose that edit. Previous values: ${changed.map((c) => `${c.key}: ${c.before ?? '(none)'}`).join('; ')}.`);
  }
  out(`running: ${record.undoArgv.join(' ')}`);
  const result = await qm(root, record.undoArgv);
  process.stdout.write(result.stdout);
  if (result.code !== 0) throw new HelperError(EXIT.commandFailed, `qm set failed (exit ${result.code}): ${result.stderr.trim()}`);
  record.state = 'undone';
  await writeRecord(root, record);
  out(`undone ${record.id}`);
  return EXIT.ok;
}

/** `qm-power VMID start|shutdown|stop`. */
export async function qmPower(root: string, vmidText: string, action: string): Promise<number> {
  const vmid = parseVmid(vmidText);
  if (!['start', 'shutdown', 'stop'].includes(action)) throw new HelperError(EXIT.usage, `'${action.slice(0, 40)}' is not start, shutdown or stop.`);
  const result = await qm(root, ['qm', action, String(vmid)]);
  process.stdout.write(result.stdout);
  if (result.code !== 0) throw new HelperError(EXIT.commandFailed, `qm ${action} ${vmid} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return EXIT.ok;
}
