import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in qm: reads and writes ROOT/etc/pve/qemu-server/ID.conf the way
 * qm does (keys sorted, snapshot sections kept), logs every argv it is run
 * with to ROOT/qm.log (one JSON array a line), and answers `config`, `set`,
 * `list`, `start`, `shutdown`, `stop`. ROOT is two folders above the script
 * (ROOT/usr/sbin/qm).
 */
const QM = `
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'etc', 'pve', 'qemu-server');
const args = process.argv.slice(2);
fs.appendFileSync(path.join(root, 'qm.log'), JSON.stringify(['qm', ...args]) + '\\n');
const file = (id) => path.join(dir, id + '.conf');
function read(id) {
  if (!fs.existsSync(file(id))) { process.stderr.write("Configuration file 'nodes/pve/qemu-server/" + id + ".conf' does not exist\\n"); process.exit(2); }
  const text = fs.readFileSync(file(id), 'utf8');
  const at = text.search(/^\\[/m);
  const main = at < 0 ? text : text.slice(0, at);
  const rest = at < 0 ? '' : text.slice(at);
  const conf = new Map();
  for (const line of main.split('\\n')) { const m = line.match(/^([a-z][a-z0-9_-]*): (.*)$/); if (m) conf.set(m[1], m[2]); }
  return { conf, rest, comments: main.split('\\n').filter((l) => l.startsWith('#')) };
}
const [verb, id, ...rest] = args;
if (verb === 'list') {
  process.stdout.write('      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID\\n');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.conf')).sort()) {
    const { conf } = read(name.slice(0, -5));
    process.stdout.write(('       ' + name.slice(0, -5)).slice(-10) + ' ' + (conf.get('name') || '').padEnd(20) + ' stopped    ' + (conf.get('memory') || '512').padStart(7) + '              0.00 0\\n');
  }
} else if (verb === 'config') {
  const { conf } = read(id);
  for (const [k, v] of [...conf].sort(([a], [b]) => (a < b ? -1 : 1))) process.stdout.write(k + ': ' + v + '\\n');
} else if (verb === 'set') {
  const vm = read(id);
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--delete') rest[i + 1].split(',').forEach((k) => vm.conf.delete(k));
    else vm.conf.set(rest[i].slice(2), rest[i + 1]);
  }
  if (process.env.QM_FAIL === 'set') { process.stderr.write('hostpci0: unable to parse\\n'); process.exit(255); }
  const lines = [...vm.comments, ...[...vm.conf].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => k + ': ' + v)];
  fs.writeFileSync(file(id), lines.join('\\n') + '\\n' + (vm.rest ? '\\n' + vm.rest.replace(/^\\n+/, '') : ''));
  process.stdout.write('update VM ' + id + ': ' + rest.join(' ') + '\\n');
} else if (['start', 'shutdown', 'stop'].includes(verb)) {
  read(id);
  process.stdout.write('');
} else { process.stderr.write('400 unknown command\\n'); process.exit(255); }
`;

/** A stand-in pvesh answering `get /nodes/NODE/qemu --output-format json` from the same .conf files. */
const PVESH = `
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'etc', 'pve', 'qemu-server');
const args = process.argv.slice(2);
if (args[0] !== 'get' || !/^\\/nodes\\/[^/]+\\/qemu$/.test(args[1]) || args.slice(2).join(' ') !== '--output-format json') { process.stderr.write('no such path\\n'); process.exit(2); }
const vms = fs.readdirSync(dir).filter((n) => n.endsWith('.conf')).map((n) => {
  const name = (fs.readFileSync(path.join(dir, n), 'utf8').match(/^name: (.*)$/m) || [])[1];
  return { vmid: Number(n.slice(0, -5)), name, status: 'stopped', cpus: 8, maxmem: 17179869184 };
});
process.stdout.write(JSON.stringify(vms));
`;

function script(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!${process.execPath}\n${body}`);
  chmodSync(path, 0o755);
}

/** Proxmox's VM tools as stand-ins under ROOT/usr/sbin, and the VMs' .conf files under ROOT/etc/pve/qemu-server. */
export function writeProxmoxTools(root: string, vms: Record<number, string>): void {
  script(join(root, 'usr', 'sbin', 'qm'), QM);
  script(join(root, 'usr', 'sbin', 'pvesh'), PVESH);
  mkdirSync(join(root, 'etc', 'pve', 'qemu-server'), { recursive: true });
  for (const [id, text] of Object.entries(vms)) writeFileSync(join(root, 'etc', 'pve', 'qemu-server', `${id}.conf`), text);
}

/** A folder for PATH with a stand-in pveversion (and qm, which doctor only looks up). */
export function writePveBin(dir: string, version = '8.2.4'): void {
  script(join(dir, 'pveversion'), `process.stdout.write('pve-manager/${version}/faa83925c9641325 (running kernel: 6.8.8-2-pve)\\n');`);
  script(join(dir, 'qm'), `process.exit(0);`);
}
