import { describe, expect, it } from 'vitest';
import { parseEventLine } from '../../main/libvirt/parse-event';

// Lines as printed by `virsh event --loop --all --timestamp` (shared/reference/libvirt.md).
describe('parseEventLine', () => {
  it('reads a lifecycle event with its timestamp', () => {
    expect(parseEventLine("2026-11-21 08:01:28.759+0000: event 'lifecycle' for domain 'lg-tcg': Started Booted")).toEqual({
      timestamp: '2026-11-21 08:01:28.759+0000',
      type: 'lifecycle',
      domain: 'lg-tcg',
      event: 'Started',
      detail: 'Booted',
    });
  });

  it('keeps multi-word details', () => {
    expect(parseEventLine("2026-11-21 08:01:30.001+0000: event 'lifecycle' for domain 'lg-tcg': Shutdown Finished after host request")).toMatchObject({
      event: 'Shutdown',
      detail: 'Finished after host request',
    });
  });

  it('reads names with spaces and quotes', () => {
    expect(parseEventLine("event 'lifecycle' for domain 'Bob's win 11': Stopped Destroyed")).toMatchObject({
      timestamp: null,
      domain: "Bob's win 11",
      event: 'Stopped',
    });
  });

  it('reads events without a detail part', () => {
    expect(parseEventLine("event 'control-error' for domain 'lg-tcg'")).toEqual({
      timestamp: null,
      type: 'control-error',
      domain: 'lg-tcg',
      event: null,
      detail: null,
    });
  });

  it('ignores other output', () => {
    expect(parseEventLine('events received: 4')).toBeNull();
    expect(parseEventLine('error: internal error: client socket is closed')).toBeNull();
    expect(parseEventLine('')).toBeNull();
  });
});
