import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRegistry } from '../../main/api/registry';
import frCatalogue from '../../shared/i18n/fr.json';
import { formatMessage } from '../../shared/i18n/message';
import { requestSchemas, vmName } from '../../shared/schemas';
import { CHANNEL_NAMES, type ArgsOf, type LgStatus, type ResultOf, type Task, type VitrineApi, type VmSpec } from '../../shared/api';
import { makeApi } from '../../shared/make-api';
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

  it('takes an empty edit request as it is (vitrine vm xml --file with no edit option skips the schema on that ground)', async () => {
    const { requestSchemas } = await import('../../shared/schemas');
    expect(requestSchemas['vm.applyEdits'].shape.edits.parse({})).toStrictEqual({});
  });

  it('names a refused value by its field in the user language, never the channel or a property name', async () => {
    const result = await createRegistry(staticServices([])).dispatch('vm.applyEdits', { name: 'win11', edits: { shmemMiB: -3 } });
    if (result.ok) throw new Error('accepted');
    expect(result.error.msg).toBeDefined();
    const fr = formatMessage(frCatalogue as Record<string, unknown>, 'fr', result.error.msg!.message);
    expect(fr).toMatch(/^Certaines valeurs ne conviennent pas : Mémoire Looking Glass :/);
    // The bound in the form's words, not zod's English.
    expect(fr).toMatch(/Mémoire Looking Glass : Saisissez au moins \d+\./);
    expect(fr).not.toMatch(/vm\.applyEdits|shmemMiB|Invalid arguments/);
    expect(result.error.message).toContain("Invalid arguments for 'vm.applyEdits'");
  });

  it('answers a search with whether anything matched, and the closest entries when nothing did', async () => {
    const registry = createRegistry(staticServices([]));
    const hit = (await registry.dispatch('diagnose.search', { query: 'error 127' })) as { ok: true; value: { found: boolean; problems: { id: string }[] } };
    expect(hit.value.found).toBe(true);
    expect(hit.value.problems[0]?.id).toBe('reset-bug-127');
    const none = (await registry.dispatch('diagnose.search', { query: 'zzqx frobnicate' })) as { ok: true; value: { found: boolean; problems: unknown[] } };
    expect(none.value.found).toBe(false);
    expect(none.value.problems).toHaveLength(3);
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

  it('serves every channel of the contract, and only those', () => {
    expect(createRegistry(staticServices([])).channels().sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(CHANNEL_NAMES).toContain('vm.undefine');
    expect(Object.keys(requestSchemas).sort()).toEqual([...CHANNEL_NAMES].sort());
  });
});

describe('the contract', () => {
  it('builds one named method per channel, and on() for the events only', async () => {
    const seen: [string, unknown][] = [];
    const api = makeApi({
      request: async (channel, args) => (seen.push([channel, args]), { ok: true, value: null as never }),
      subscribe: () => () => undefined,
    });
    await api.vm.play({ name: 'win11' });
    await api.app.info();
    await api.files.list({ dir: '/tmp', extension: '.iso' });
    expect(seen).toEqual([
      ['vm.play', { name: 'win11' }],
      ['app.info', undefined],
      ['files.list', { dir: '/tmp', extension: '.iso' }],
    ]);
    for (const channel of CHANNEL_NAMES) {
      const [group, method] = channel.split('.') as [keyof VitrineApi, string];
      expect(typeof (api[group] as unknown as Record<string, unknown>)[method]).toBe('function');
    }
    expect(() => api.on('domains.changed', () => undefined)).not.toThrow();
    expect(() => api.on('nope' as 'lg.status', () => undefined)).toThrow(/Unknown event/);
  });

  it('derives argument and result types from the schemas and the channel map', () => {
    expectTypeOf<ArgsOf<'vm.play'>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<ArgsOf<'app.info'>>().toEqualTypeOf<undefined>();
    expectTypeOf<ArgsOf<'vm.create'>>().toEqualTypeOf<VmSpec>();
    expectTypeOf<ResultOf<'lg.close'>>().toEqualTypeOf<LgStatus | null>();
    expectTypeOf<ResultOf<'task.cancel'>>().toEqualTypeOf<Task | null>();
    expectTypeOf<VitrineApi['vm']['play']>().parameters.toEqualTypeOf<[{ name: string }]>();
    expectTypeOf<VitrineApi['app']['info']>().parameters.toEqualTypeOf<[]>();
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
