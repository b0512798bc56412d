import { describe, expect, it } from 'vitest';
import { parseDominfo, parseDomainState, parseNameList } from '../../main/libvirt/parse-dominfo';

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
