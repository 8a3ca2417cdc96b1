import * as OTPAuth from 'otpauth';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) as every authenticator app expects. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, account: string): string {
  return new OTPAuth.TOTP({ issuer: 'Analyserom', label: account, secret: OTPAuth.Secret.fromBase32(secretBase32) }).toString();
}

export function totpNow(secretBase32: string, at: Date): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32) }).generate({ timestamp: at.getTime() });
}

const PERIOD_SECONDS = 30;

/**
 * Accepts the current code and one step either side, for clock drift. Returns the time step the
 * code belongs to (the caller stores it so the code counts once), or null.
 */
export function totpStep(secretBase32: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32), period: PERIOD_SECONDS });
  const delta = totp.validate({ token: code, timestamp: at.getTime(), window: 1 });
  return delta === null ? null : Math.floor(at.getTime() / 1000 / PERIOD_SECONDS) + delta;
}
