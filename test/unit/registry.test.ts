import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../main/api/registry';
import { vmName } from '../../shared/schemas';
import { VitrineError } from '../../main/common/errors';
import { SAMPLE_DOMAIN, staticServices } from '../support/static-services';

describe('registry.dispatch', () => {
  it('answers a known request with its value', async () => {
    const registry = createRegistry(staticServices([SAMPLE_DOMAIN]));
    expect(await registry.dispatch('domains.list', undefined)).toEqual({ ok: true, value: [SAMPLE_DOMAIN] });
  });

  it('refuses an unknown channel without reaching a service', async () => {
    const result = await createRegistry(staticServices([])).dispatch('domains.destroyEverything', undefined);
    expect(result).toMatchObject({ ok: false, error: { kind: 'unknown-request' } });
  });

  it('refuses arguments that do not match the schema', async () => {
    const result = await createRegistry(staticServices([])).dispatch('domains.list', { name: '../etc' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-argument' } });
  });

  it('does not treat Object.prototype names as channels', async () => {
    const result = await createRegistry(staticServices([])).dispatch('constructor', undefined);
    expect(result).toMatchObject({ ok: false, error: { kind: 'unknown-request' } });
  });

  it('turns a service error into an explainable value', async () => {
    const failure = new VitrineError({ kind: 'connect', message: "Cannot connect to libvirt at 'x'", hint: 'Check the daemon.' });
    const result = await createRegistry(staticServices(failure)).dispatch('domains.list', undefined);
    expect(result).toEqual({ ok: false, error: { kind: 'connect', message: "Cannot connect to libvirt at 'x'", hint: 'Check the daemon.' } });
  });

  it('lists every channel of the contract', () => {
    expect(createRegistry(staticServices([])).channels().sort()).toEqual([
      'app.info',
      'diagnose.run',
      'diagnose.search',
      'domains.list',
      'files.list',
      'host.check',
      'lg.close',
      'lg.launchInfo',
      'lg.open',
      'monitors.list',
      'settings.get',
      'settings.set',
      'setup.apply',
      'setup.changes',
      'setup.plan',
      'setup.rollback',
      'task.cancel',
      'vm.applyEdits',
      'vm.console',
      'vm.create',
      'vm.defaults',
      'vm.details',
      'vm.forceOff',
      'vm.history',
      'vm.play',
      'vm.previewEdits',
      'vm.restore',
      'vm.shutdown',
      'vm.start',
      'vm.stop',
      'wizard.get',
      'wizard.set',
    ]);
  });
});

describe('vmName schema', () => {
  it.each(['win11', 'Bob’s gaming VM', 'a'.repeat(200)])('accepts %s', (name) => {
    expect(vmName.safeParse(name).success).toBe(true);
  });
  it.each(['', 'a/b', 'tab\there', 'a'.repeat(201), 42])('refuses %s', (name) => {
    expect(vmName.safeParse(name).success).toBe(false);
  });
});
