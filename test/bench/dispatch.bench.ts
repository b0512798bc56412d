import { bench, describe } from 'vitest';
import { createRegistry } from '../../main/api/registry';
import { parseDominfo } from '../../main/libvirt/parse-dominfo';
import { parseEventLine } from '../../main/libvirt/parse-event';
import { SAMPLE_DOMAIN, staticServices } from '../support/static-services';

// Figures are ratios against a baseline measured side by side in the same run.

const services = staticServices([SAMPLE_DOMAIN]);
const registry = createRegistry(services);

describe('request dispatch: validation cost per request', () => {
  bench('baseline: call the service directly', async () => {
    await services.listDomains();
  });
  bench('registry.dispatch (schema check + envelope)', async () => {
    await registry.dispatch('domains.list', undefined);
  });
});

const DOMINFO = `Id:             3\nName:           win11\nUUID:           77126c88-bf9c-4858-9062-b2d37bd4894c\nOS Type:        hvm\nState:          running\nCPU(s):         8\nMax memory:     16777216 KiB\nUsed memory:    16777216 KiB\nPersistent:     yes\nAutostart:      disable\nManaged save:   no\nSecurity model: none\nSecurity DOI:   0\n`;
const EVENT = "2026-11-21 08:01:28.759+0000: event 'lifecycle' for domain 'win11': Started Booted";

describe('parsing one event and one dominfo (work per domain change)', () => {
  bench('baseline: split the lines only', () => {
    DOMINFO.split('\n');
    EVENT.split(' ');
  });
  bench('parseEventLine + parseDominfo', () => {
    parseEventLine(EVENT);
    parseDominfo(DOMINFO);
  });
});
