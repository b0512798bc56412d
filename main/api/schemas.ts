import { z } from 'zod';
import type { ArgsOf, Channel } from '../../preload/api';

/**
 * Schemas for the arguments of every request. A request whose arguments do
 * not match never reaches a service. Shared pieces (VM names, PCI addresses,
 * paths) live here so every handler checks them the same way.
 */

/** libvirt domain names: no '/', no control characters, at most 200 characters. */
export const vmName = z
  .string()
  .min(1, 'A VM name cannot be empty.')
  .max(200, 'A VM name is at most 200 characters.')
  .refine((name) => !name.includes('/') && !/\p{Cc}/u.test(name), 'A VM name cannot contain "/" or control characters.');

const none = z.undefined();

type SchemaMap = { [C in Channel]: z.ZodType<ArgsOf<C>> };

export const requestSchemas: SchemaMap = {
  'app.info': none,
  'domains.list': none,
  'host.check': none,
};
