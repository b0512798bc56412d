import { describe, expect, it } from 'vitest';
import { parseDominfo, parseDomainState, parseListing, parseNameList, LISTING_SEPARATOR } from '../../main/libvirt/parse-dominfo';

// Verbatim `virsh dominfo` output of libvirt 9.0 (C locale).
const SHUT_OFF = `Id:             -
Name:           tiny one
UUID:           77126c88-bf9c-4858-9062-b2d37bd4894c
OS Type:        hvm
State:          shut off
CPU(s):         1
Max memory:     32768 KiB
Used memory:    32768 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no
Security model: none
Security DOI:   0
`;

describe('parseDominfo', () => {
  it('reads an inactive persistent domain whose name has a space', () => {
    expect(parseDominfo(SHUT_OFF)).toEqual({
      name: 'tiny one',
      uuid: '77126c88-bf9c-4858-9062-b2d37bd4894c',
      state: 'shut-off',
      id: null,
      persistent: true,
      autostart: false,
    });
  });

  it('reads a running transient autostarted domain with an id', () => {
    const text = SHUT_OFF.replace('Id:             -', 'Id:             7')
      .replace('shut off', 'running')
      .replace('Persistent:     yes', 'Persistent:     no')
      .replace('Autostart:      disable', 'Autostart:      enable');
    expect(parseDominfo(text)).toMatchObject({ id: 7, state: 'running', persistent: false, autostart: true });
  });

  it('keeps colons inside values', () => {
    expect(parseDominfo(SHUT_OFF.replace('Name:           tiny one', 'Name:           win11: games'))?.name).toBe('win11: games');
  });

  it('returns null for text that is not dominfo output', () => {
    expect(parseDominfo('error: failed to get domain')).toBeNull();
    expect(parseDominfo('')).toBeNull();
  });
});

describe('parseDomainState', () => {
  it.each([
    ['running', 'running'],
    ['idle', 'idle'],
    ['paused', 'paused'],
    ['in shutdown', 'in-shutdown'],
    ['shut off', 'shut-off'],
    ['crashed', 'crashed'],
    ['pmsuspended', 'pmsuspended'],
    ['no state', 'no-state'],
    ['something new', 'no-state'],
  ])('%s -> %s', (text, state) => {
    expect(parseDomainState(text)).toBe(state);
  });
});

describe('parseNameList', () => {
  it('drops blank lines and keeps names with spaces', () => {
    expect(parseNameList('alpha\ntiny one\n\n')).toEqual(['alpha', 'tiny one']);
    expect(parseNameList('\n')).toEqual([]);
  });
});

describe('parseListing (the one-process listing)', () => {
  // virsh 9's output for LISTING_COMMANDS under --quiet: echo prints the separator without a newline.
  const S = LISTING_SEPARATOR;
  const output =
    '138e9896-339e-437a-aa5e-5c42891f4bd6 alpha\n' +
    '74977d1a-8858-4d39-bb7e-43140696a9b4 be ta  x\nd0c9e8a4-0e3f-4b1e-9a37-111111111111 shut off\n2b4c5a61-1111-4a8b-9c1d-222222222222 gone meanwhile\n' +
    `${S} 3    alpha      running\n -    be ta  x   in shutdown\n -    shut off   shut off\n` +
    `${S}138e9896-339e-437a-aa5e-5c42891f4bd6\nd0c9e8a4-0e3f-4b1e-9a37-111111111111\n` +
    `${S}74977d1a-8858-4d39-bb7e-43140696a9b4\n`;

  it('reads id, state, persistence and autostart per UUID, names with spaces and state-like names included', () => {
    expect(parseListing(output)).toEqual({
      domains: [
        { name: 'alpha', uuid: '138e9896-339e-437a-aa5e-5c42891f4bd6', state: 'running', id: 3, persistent: true, autostart: false },
        { name: 'be ta  x', uuid: '74977d1a-8858-4d39-bb7e-43140696a9b4', state: 'in-shutdown', id: null, persistent: false, autostart: true },
        { name: 'shut off', uuid: 'd0c9e8a4-0e3f-4b1e-9a37-111111111111', state: 'shut-off', id: null, persistent: true, autostart: false },
      ],
      // no table row: left to dominfo
      unmatched: ['gone meanwhile'],
    });
  });

  it('refuses output that is not the listing', () => {
    expect(parseListing('error: something\n')).toBeNull();
    expect(parseListing(`${S}${S}`)).toBeNull();
  });
});
