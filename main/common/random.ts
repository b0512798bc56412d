/**
 * Random names and ids from the Web Crypto global, which node loads on first
 * use: importing node:crypto instead costs every command that loads the
 * module about 6 ms of start-up, even one that never draws a number (the
 * CLI's `vm list`, which loads virsh.ts for its one virsh run).
 */

/** `bytes` random bytes as lowercase hex (twice as many characters). */
export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

/** A random UUID (version 4). */
export function randomId(): string {
  return crypto.randomUUID();
}
