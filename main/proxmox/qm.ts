import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { run, type RunError } from '../common/process';
import { parseQmConfig, passthroughState, type ProxmoxPassthroughState, type QmConfig } from './config';

/** A Proxmox VM as listed. */
export interface ProxmoxVm {
  vmid: number;
  name: string | null;
  status: string;
}

/** `qm list`: a fixed-width table with a header (VMID NAME STATUS MEM(MB) BOOTDISK(GB) PID). */
export function parseQmList(text: string): ProxmoxVm[] {
  const vms: ProxmoxVm[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(\d+)\s+(\S+)\s+(\S+)\s/);
    if (m) vms.push({ vmid: Number(m[1]), name: m[2] === '' ? null : m[2]!, status: m[3]! });
  }
  return vms;
}

/** `pvesh get /nodes/NODE/qemu --output-format json`: an array of { vmid, name, status, … }. */
export function parsePveshQemu(text: string): ProxmoxVm[] {
  const json = JSON.parse(text) as unknown;
  if (!Array.isArray(json)) throw new Error('not an array');
  return json
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && Number.isInteger(Number(v['vmid'])))
    .map((v) => ({ vmid: Number(v['vmid']), name: typeof v['name'] === 'string' ? v['name'] : null, status: typeof v['status'] === 'string' ? v['status'] : 'unknown' }))
    .sort((a, b) => a.vmid - b.vmid);
}

const DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Proxmox's tools as Vitrine runs them: from PATH on this host, or from a
 * scratch root's own /usr/sbin (tests), the same place the root helper uses
 * there, so the preview the app shows and the helper's agree.
 */
export class ProxmoxTools {
  constructor(private readonly root: string | undefined = undefined) {}

  private program(name: 'qm' | 'pvesh'): string {
    if (this.root === undefined) return name;
    return DIRS.map((d) => join(this.root!, d, name)).find((p) => existsSync(p)) ?? join(this.root, '/usr/sbin', name);
  }

  private async run(name: 'qm' | 'pvesh', argv: string[]): Promise<string> {
    try {
      return (await run(this.program(name), argv, { timeoutMs: 30_000 })).stdout;
    } catch (error) {
      const e = error as RunError;
      const said = `${e.stderr ?? ''}`.trim() || `${e.stdout ?? ''}`.trim();
      if (e.code === 'ENOENT') throw VitrineError.of('not-proxmox', msg('error.proxmox.notProxmox', { program: name }), msg('error.proxmox.notProxmoxHint'));
      if (/does not exist/.test(said)) {
        const line = said.split('\n').at(-1)!;
        // qm's own line is the English message; the UI says it in its words with the line quoted.
        throw new VitrineError({ kind: 'no-vm', message: line, hint: 'List the VMs with vitrine proxmox vms.', msg: { message: msg('error.proxmox.noVm', { said: line }), hint: msg('error.proxmox.noVmHint') } });
      }
      if (/permission denied|only root|ipcc_send_rec|Unable to load access control list/i.test(said)) {
        throw VitrineError.of('proxmox-root', msg('error.proxmox.needsRoot', { command: `${name} ${argv.join(' ')}`, said: said.split('\n').at(-1) ?? '' }), msg('error.proxmox.needsRootHint'));
      }
      throw VitrineError.of('proxmox-tool', msg('error.proxmox.failed', { command: `${name} ${argv.join(' ')}`, said: said || e.message }), msg('error.proxmox.failedHint'));
    }
  }

  /** The VMs of this node: pvesh's JSON, else `qm list`. */
  async listVms(node: string = hostname().split('.')[0]!): Promise<ProxmoxVm[]> {
    try {
      return parsePveshQemu(await this.run('pvesh', ['get', `/nodes/${node}/qemu`, '--output-format', 'json']));
    } catch (error) {
      if (error instanceof VitrineError && error.kind === 'proxmox-root') throw error;
      return parseQmList(await this.run('qm', ['list']));
    }
  }

  async config(vmid: number): Promise<QmConfig> {
    return parseQmConfig(await this.run('qm', ['config', String(vmid)]));
  }

  async state(vmid: number): Promise<ProxmoxPassthroughState> {
    return passthroughState(vmid, await this.config(vmid));
  }
}

/** A `qm set` the root helper ran, as it recorded it (main/setup/helper/qm.ts writes these, readable by everyone). */
export interface QmRecordView {
  id: string;
  vmid: number;
  state: string;
  changes: { key: string; before: string | null; after: string }[];
  undoArgv: string[];
}

/** The helper's records of VM changes, oldest first (none: an empty list). */
export async function readQmRecords(root: string): Promise<QmRecordView[]> {
  const dir = join(root, 'var', 'lib', 'vitrine', 'proxmox');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const records: QmRecordView[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as QmRecordView);
    } catch {
      // A record being written: the helper's own undo reads it again, checked.
    }
  }
  return records;
}
