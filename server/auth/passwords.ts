// argon2id with OWASP's parameters (m=19456 KiB, t=2, p=1). A hash costs about
// 100 ms of CPU, so at most two run at once and a flood of logins waits in a
// short queue or is turned away (429) instead of piling up unbounded work.
import { hash, verify } from "@node-rs/argon2";

const PARAMS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export { PASSWORD_MIN_LENGTH as MIN_PASSWORD_LENGTH } from "../schema/limits.ts";

export class HashBusy extends Error {}

class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.maxWaiting) throw new HashBusy("too many sign-in attempts at once");
      await new Promise<void>((r) => this.waiting.push(r)); // the slot is handed over, not re-counted
    } else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const limiter = new Limiter(2, 32);
/** Made on first use (not at start-up): checking an unknown account costs the same as a known one. */
const dummy = { hash: null as Promise<string> | null };

export function hashPassword(password: string): Promise<string> {
  return limiter.run(() => hash(password, PARAMS));
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const target = stored ?? (await (dummy.hash ??= hash("lightflow-dummy-password", PARAMS)));
  const ok = await limiter.run(() => verify(target, password).catch(() => false));
  return stored !== null && ok;
}
