/**
 * Whether two JSON-like values are equal by content (what JSON.stringify of
 * each would say, key order aside), without building the two strings: the
 * dashboard compares every card's props on each event, and the domain
 * watcher each list it is about to publish.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], other[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // JSON leaves out a key whose value is undefined: { a: undefined } is {}.
  let count = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    count++;
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) count--;
  return count === 0;
}
