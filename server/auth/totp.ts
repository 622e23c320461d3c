// TOTP second factor (RFC 6238, 30 s steps, 6 digits, SHA-1: what every
// authenticator app speaks). A code is valid one step either side, and each
// step is accepted once only.
import * as OTPAuth from "otpauth";

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, email = ""): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: "Lightflow", label: email, algorithm: "SHA1", digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** The time step the code belongs to, or null when it is wrong. */
export function checkTotp(secret: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 30_000) + delta;
}

export function totpCode(secret: string, now: number): string {
  return totp(secret).generate({ timestamp: now });
}
