#!/usr/bin/env node
// `npm test`: every tier — unit, integration (real libvirt), e2e (Playwright in
// Debian's Chromium) — then one closing line: "tests: N passed, N failed, N skipped".
// A tier whose system parts are missing is skipped with the package to install;
// with CI=true a missing part is a failure, so CI proves every tier.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
const strict = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase());
const testUser = process.env.VITRINE_TEST_USER ?? 'vitrine-test';
const isRoot = process.getuid?.() === 0;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function say(text) {
  process.stdout.write(`\n== ${text}\n`);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function anyExists(paths) {
  return paths.some((p) => existsSync(p));
}

/** What a tier needs from the system, with the Debian package that brings it. */
const needs = {
  integration: [
    ['virsh', () => onPath('virsh'), 'libvirt-clients'],
    ['libvirtd', () => onPath('libvirtd') || anyExists(['/usr/sbin/libvirtd']), 'libvirt-daemon-system'],
    ['qemu-system-x86_64', () => onPath('qemu-system-x86_64'), 'qemu-system-x86'],
    ['qemu-img', () => onPath('qemu-img'), 'qemu-utils'],
    ['virt-xml-validate', () => onPath('virt-xml-validate'), 'libvirt-clients'],
    ['OVMF', () => anyExists(['/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd', '/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd']), 'ovmf'],
    ['swtpm', () => onPath('swtpm'), 'swtpm swtpm-tools'],
    ['desktop-file-validate', () => onPath('desktop-file-validate'), 'desktop-file-utils'],
    ['dpkg-deb', () => onPath('dpkg-deb'), 'dpkg'],
  ],
  e2e: [['chromium', () => existsSync(process.env.VITRINE_CHROMIUM ?? '/usr/bin/chromium'), 'chromium']],
};

function missing(tier) {
  const list = tier === 'e2e' ? [...needs.integration, ...needs.e2e] : needs[tier];
  return list.filter(([, present]) => !present());
}

/** As root, libvirt tests run as an unprivileged user (root's qemu:///session is the system daemon). */
function ensureTestUser() {
  if (!isRoot) return null;
  if (spawnSync('id', ['-u', testUser]).status !== 0) {
    say(`creating the unprivileged test user '${testUser}' (libvirt session tests must not run as root)`);
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', testUser], { stdio: 'inherit' });
    if (made.status !== 0) return `could not create the test user '${testUser}' (useradd failed)`;
  }
  const uid = Number(spawnSync('id', ['-u', testUser], { encoding: 'utf8' }).stdout);
  const gid = Number(spawnSync('id', ['-g', testUser], { encoding: 'utf8' }).stdout);
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(root, 'out', 'main', 'cli.cjs'))}, require('fs').constants.R_OK)`], { uid, gid });
  if (probe.status !== 0) {
    return `the test user '${testUser}' cannot read this checkout (${root}): make its parent folders traversable (chmod o+x) or clone it elsewhere`;
  }
  return null;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function vitestTier(project) {
  const report = join(results, `${project}.json`);
  rmSync(report, { force: true });
  const code = run(bin('vitest'), ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile=${report}`]);
  const json = readJson(report);
  if (!json) {
    problems.push(`${project}: the runner produced no report (exit ${code})`);
    return;
  }
  totals.passed += json.numPassedTests;
  totals.failed += json.numFailedTests;
  totals.skipped += json.numPendingTests + json.numTodoTests;
  if (code !== 0 && json.numFailedTests === 0) problems.push(`${project}: the runner exited ${code} with no failed test (a file failed to load?)`);
}

function playwrightTier() {
  const report = join(results, 'e2e-report.json');
  rmSync(report, { force: true });
  const code = run(bin('playwright'), ['test']);
  const json = readJson(report);
  if (!json) {
    problems.push(`e2e: the runner produced no report (exit ${code})`);
    return;
  }
  totals.passed += json.stats.expected + json.stats.flaky;
  totals.failed += json.stats.unexpected;
  totals.skipped += json.stats.skipped;
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        for (const note of t.annotations ?? []) {
          if (note.type === 'skip') process.stdout.write(`skipped: ${spec.title} — ${note.description ?? 'no reason given'}\n`);
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of json.suites ?? []) walk(suite);
  if (code !== 0 && json.stats.unexpected === 0) problems.push(`e2e: the runner exited ${code} with no failed test`);
}

function skipTier(tier, lacking) {
  const packages = [...new Set(lacking.map(([, , pkg]) => pkg))].join(' ');
  const text = `${tier}: skipped, missing ${lacking.map(([name]) => name).join(', ')} (Debian: apt-get install ${packages})`;
  if (strict) problems.push(`${text} — CI must run every tier`);
  else process.stdout.write(`${text}\n`);
}

mkdirSync(results, { recursive: true });

say('build (the CLI, vitrine serve and the root helper are tested as built)');
// `npm run build` is the one list of what gets built (app, bundled CLI, root helper).
if (run('npm', ['run', '--silent', 'build']) !== 0) {
  problems.push('build failed');
} else {
  say('unit');
  vitestTier('unit');

  const userProblem = ensureTestUser();
  for (const tier of ['integration', 'e2e']) {
    say(tier);
    const lacking = missing(tier);
    if (lacking.length > 0) skipTier(tier, lacking);
    else if (userProblem) problems.push(`${tier}: ${userProblem}`);
    else if (tier === 'integration') vitestTier('integration');
    else playwrightTier();
  }
}

process.stdout.write('\n');
for (const problem of problems) process.stdout.write(`problem: ${problem}\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed > 0 || problems.length > 0 ? 1 : 0);
