#!/usr/bin/env node
// Only commander and the commands' definitions load with every run: what a
// command runs (the services, the server, the schemas, the XML code) is
// imported by its action, so `vitrine --version` reads one small file.
// The build (cli.vite.config.ts) bundles the dependencies and splits at these imports.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExistingVmName, registerVmCommands } from './vm';
import { registerDiagnoseCommand } from './diagnose';
import { registerSetupCommands } from './setup';
import { registerLgCommands } from './lg';
import { registerProxmoxCommands } from './proxmox';
import { toErrorInfo, VitrineError } from '../common/errors';
import { hostRoots, type HostRoots } from '../host/roots';
import type { Services, ServicesOptions } from '../services/index';
import { VERSION } from '../common/version';
import { takeNotices } from '../state/notices';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root: out/main/cli.cjs -> ../.. */
const appRoot = resolve(here, '..', '..');
const rendererDir = resolve(appRoot, 'out', 'renderer');

// A settings or wizard file kept aside during this command is told once, as it ends.
process.on('exit', () => {
  for (const notice of takeNotices()) {
    const what = notice.kind === 'settings-kept-aside' ? 'the settings file' : "the setup wizard's progress file";
    process.stderr.write(`vitrine: note: ${what} could not be used in full (${notice.reason}); it was kept as ${notice.path}.\n`);
  }
});

/** Print an error as one line (what happened — what to do) and exit non-zero. */
function fail(error: unknown): never {
  const info = toErrorInfo(error);
  process.stderr.write(`vitrine: ${info.message} — ${info.hint}\n`);
  process.exit(1);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a port number (0–65535; 0 picks a free one).`);
  }
  return port;
}

async function serve(host: string, port: number, allowRemote = false): Promise<void> {
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    fail(new VitrineError({ kind: 'not-built', message: `The UI is not built (no ${rendererDir}/index.html).`, hint: 'Run npm run build first.' }));
  }
  const [{ createServices }, { createRegistry }, { isLoopback, startServer }] = await Promise.all([servicesModule(), import('../api/registry'), import('../web/serve')]);
  const options = { ...(await servicesOptions('serve')), keepVirshReady: true };
  const services = createServices(options);
  const server = await startServer({ host, port, allowRemote, registry: createRegistry(services), events: services.events, rendererDir }).catch(async (error: unknown) => {
    await services.close();
    throw error;
  });
  if (!isLoopback(host)) {
    process.stderr.write(
      `warning: vitrine serve listens on ${host}: anyone who can reach it and has the printed URL (its token) can start, stop and change your VMs and prepare this host. ` +
        'The connection is plain HTTP: the token and everything you do travel unencrypted. Use it only on a network you trust, or through an SSH tunnel to 127.0.0.1.\n',
    );
  }
  process.stdout.write(`Vitrine ${VERSION} is serving the UI for ${options.libvirtUri}\nOpen: ${server.url}\nPress Ctrl+C to stop.\n`);
  const shutdown = (): void => {
    void Promise.all([services.close(), server.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/**
 * Path of the Electron binary, or the reason there is none. The electron
 * package downloads its binary on first use (npm install does not: .npmrc).
 */
function electronBinary(): { path: string } | { missing: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { missing: 'the electron package has no binary' };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/failed to install correctly/i.test(text)) {
      return { missing: 'its download failed: check access to github.com, then run npm start again' };
    }
    return { missing: text.split('\n')[0]! };
  }
}

async function start(host: string, port: number): Promise<void> {
  const binary = electronBinary();
  if ('missing' in binary) {
    process.stdout.write(
      `\nThe desktop window cannot open: Electron's binary is missing (${binary.missing}).\n` +
        'Starting the same UI in your browser instead (vitrine serve).\n',
    );
    await serve(host, port);
    return;
  }
  const { spawnStreaming } = await import('../common/process');
  const child = spawnStreaming(binary.path, [appRoot], { stdio: 'inherit', env: { ...process.env, VITRINE_LIBVIRT_URI: await uriOf() } });
  const { code, error } = await child.exited;
  if (error) fail(error);
  process.exit(code ?? 0);
}

const program = new Command();
program
  .name('vitrine')
  .description('Run a GPU-passthrough Windows game VM like a native app.')
  .version(VERSION, '-V, --version', 'print the version')
  .addOption(new Option('-c, --connect <uri>', 'libvirt connection URI (default: $VITRINE_LIBVIRT_URI or qemu:///system)'))
  .addOption(new Option('--sysfs-root <dir>', 'read the host from this sysfs tree instead of /sys'))
  .addOption(new Option('--proc-root <dir>', 'read the host from this procfs tree instead of /proc'))
  .addOption(new Option('--dev-root <dir>', 'look for device nodes (kvm) here instead of /dev'))
  .addOption(new Option('--modules-root <dir>', 'kernel modules folder (holding RELEASE/modules.alias) instead of /lib/modules'))
  .addOption(new Option('--etc-root <dir>', 'read os-release, group and QEMU firmware descriptors from this folder instead of /etc'))
  .addOption(new Option('--setup-root <dir>', 'make host changes under this scratch folder instead of / (tests, dry runs)'))
  .addOption(new Option('--client <path>', 'the looking-glass-client to run (default: the Settings choice, else PATH)'))
  .showHelpAfterError('(run vitrine --help for the commands)');

interface GlobalOptions {
  connect?: string;
  sysfsRoot?: string;
  procRoot?: string;
  devRoot?: string;
  modulesRoot?: string;
  etcRoot?: string;
  setupRoot?: string;
  client?: string;
}
const servicesModule = () => import('../services/index');
/** The libvirt URI from --connect, VITRINE_LIBVIRT_URI or the Settings, checked before anything connects. */
const uriOf = async (): Promise<string> => {
  const flag = program.opts<GlobalOptions>().connect;
  const { checkedLibvirtUri } = await import('../services/libvirt-uri');
  // The Settings (and the schemas that read them) are loaded only when neither --connect nor VITRINE_LIBVIRT_URI says.
  const saved = flag || process.env['VITRINE_LIBVIRT_URI'] ? () => null : (await import('../state/settings')).savedLibvirtUri;
  return checkedLibvirtUri(flag, process.env, saved);
};
/** The services' options from the global flags. */
async function servicesOptions(mode: ServicesOptions['mode']): Promise<ServicesOptions> {
  const o = program.opts<GlobalOptions>();
  return {
    libvirtUri: await uriOf(),
    mode,
    hostRoots: hostRoots({ sys: o.sysfsRoot, proc: o.procRoot, dev: o.devRoot, modules: o.modulesRoot, etc: o.etcRoot }),
    ...(o.setupRoot ? { setupRoot: o.setupRoot } : {}),
    ...(o.client ? { clientPath: o.client } : {}),
  };
}

program
  .command('serve')
  .description('serve the UI and its API on a loopback address, for a browser')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 0)
  .option('--allow-remote', 'allow a --host that is not loopback (other machines could then control your VMs)')
  .action(async (opts: { host: string; port: number; allowRemote?: boolean }) => {
    await serve(opts.host, opts.port, Boolean(opts.allowRemote)).catch(fail);
  });

program
  .command('start')
  .description('open the desktop app (or, without an Electron binary, serve the UI for a browser)')
  .option('--host <address>', 'address for the browser fallback', '127.0.0.1')
  .option('--port <n>', 'port for the browser fallback', parsePort, 0)
  .action(async (opts: { host: string; port: number }) => {
    await start(opts.host, opts.port).catch(fail);
  });

/**
 * The command this run names: the first word after the global options (whose
 * values are skipped), and the global flags before it. Only its group's
 * subcommands are then defined, since defining every group's options is a
 * good part of a short command's start; with no such word (--help, a typo,
 * `help`) every group is, unless the run only asks for the version.
 */
function namedCommand(argv: readonly string[]): { named: string | null; flags: string[] } {
  const withValue = new Set(['-c', '--connect', '--sysfs-root', '--proc-root', '--dev-root', '--modules-root', '--etc-root', '--setup-root', '--client']);
  const flags: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return { named: null, flags };
    if (!word.startsWith('-')) return { named: word, flags };
    flags.push(word);
    if (withValue.has(word)) i++;
  }
  return { named: null, flags };
}
const GROUPS = new Set(['vm', 'diagnose', 'lg', 'play', 'setup', 'proxmox']);
/** Commands defined here, beside the groups: naming one defines no group. */
const OWN = new Set(['serve', 'start', 'doctor']);
const { named, flags } = namedCommand(process.argv);
/** `vitrine --version` (no command, no --help, which lists every command): commander prints it before any command is looked at. */
const versionOnly = named === null && flags.some((f) => f === '-V' || f === '--version') && !flags.some((f) => f === '-h' || f === '--help');
const defines = (...groups: string[]): boolean => !versionOnly && (named === null || (!GROUPS.has(named) && !OWN.has(named)) || groups.includes(named));

/** The services a command runs on (loaded when the command runs). */
const services = async (): Promise<Services> => {
  const [{ createServices }, options] = await Promise.all([servicesModule(), servicesOptions('serve')]);
  return createServices(options);
};
if (defines('vm')) registerVmCommands(program, {
  services,
  uri: uriOf,
  // What services.listDomains() runs, without wiring every other service for a list.
  domains: async () => {
    const [{ listDomains }, { Virsh }, uri] = await Promise.all([import('../libvirt/domains'), import('../libvirt/virsh'), uriOf()]);
    return listDomains(new Virsh({ uri }));
  },
  fail,
});
if (defines('diagnose')) registerDiagnoseCommand(program, { services, fail });
if (defines('lg', 'play')) registerLgCommands(program, {
  services,
  playServices: async () => {
    const [{ createCore }, options] = await Promise.all([import('../services/core'), servicesOptions('serve')]);
    return createCore(options);
  },
  // Play's first virsh run, begun before the services load (null for a name vmName refuses: existingName says why).
  readDomain: async (name) => {
    if (!isExistingVmName(name)) return { run: Promise.resolve(null) };
    const [{ Virsh }, { runInfoAndXml }, uri] = await Promise.all([import('../libvirt/virsh'), import('../libvirt/batch'), uriOf()]);
    return { run: runInfoAndXml(new Virsh({ uri }), name) ?? Promise.resolve(null) };
  },
  fail,
});
/**
 * The host roots a setup command scans for a scratch root: its own etc/ (unless
 * --etc-root says otherwise), never this host's /etc. Its sys/, proc/, dev/ and
 * lib/modules/ come from the root when it has them (the elevation decides),
 * else from the global flags (this machine's hardware: a dry run for it).
 */
function setupRoots(root: string | undefined): HostRoots {
  const o = program.opts<GlobalOptions>();
  return hostRoots({ sys: o.sysfsRoot, proc: o.procRoot, dev: o.devRoot, modules: o.modulesRoot, etc: o.etcRoot ?? (root === undefined ? undefined : join(root, 'etc')) });
}
// The elevation is chosen here, once per command, for the root the command resolved
// (its --root, else --setup-root — both given must agree —, else this host through pkexec).
if (defines('setup')) registerSetupCommands(program, {
  setup: async (root) => {
    const [{ SetupService }, { elevationFor }, { dataDir }] = await Promise.all([import('../setup/service'), import('../setup/elevation'), import('../common/xdg')]);
    return new SetupService(dataDir(), setupRoots(root), elevationFor(root));
  },
  setupRoot: () => program.opts<GlobalOptions>().setupRoot,
  fail,
});
if (defines('proxmox')) registerProxmoxCommands(program, { fail });

program
  .command('doctor')
  .description('check the host for GPU passthrough: CPU, KVM, IOMMU groups, GPUs, tools; says how to fix each item')
  .option('--json', 'print JSON: { checks, devices, gpus, groups, cpu, kvm, iommu, kernel, modules } (see the README)')
  .action(async (opts: { json?: boolean }) => {
    try {
      // What services.hostCheck() runs, without loading and wiring every other service.
      const o = program.opts<GlobalOptions>();
      const [{ hostCheck }, { cacheDir }, uri] = await Promise.all([import('../services/host-check'), import('../common/xdg'), uriOf()]);
      const check = await hostCheck(uri, hostRoots({ sys: o.sysfsRoot, proc: o.procRoot, dev: o.devRoot, modules: o.modulesRoot, etc: o.etcRoot }), cacheDir());
      process.stdout.write(opts.json ? JSON.stringify(check, null, 2) + '\n' : (await import('../host/format')).formatHostCheck(check));
    } catch (error) {
      fail(error);
    }
  });

program.parseAsync(process.argv).catch(fail);
