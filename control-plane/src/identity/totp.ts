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

/** Accepts the current code and one step either side, for clock drift. */
export function verifyTotp(secretBase32: string, code: string, at: Date): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32) });
  return totp.validate({ token: code, timestamp: at.getTime(), window: 1 }) !== null;
}
