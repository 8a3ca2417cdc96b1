/**
 * Norwegian national identity numbers (fødselsnummer): DDMMYY + 3-digit individual number + two
 * mod-11 check digits. The individual number encodes the century (000-499: 1900-1999,
 * 500-999: 2000-2039 for the years 00-39) and sex (third individual digit odd = male).
 * The generator computes the same digits in SQL (`generator-sql.ts`); this module is the reference.
 */
const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** The check digit for `digits` under `weights`, or null when the weighted sum leaves remainder 1 (no valid digit). */
function checkDigit(digits: number[], weights: number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digits[i]! * weights[i]!;
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return null;
  return k;
}

/** True when `fnr` is 11 digits with both check digits valid. */
export function isValidFnr(fnr: string): boolean {
  if (!/^\d{11}$/.test(fnr)) return false;
  const d = [...fnr].map(Number);
  const k1 = checkDigit(d, W1);
  if (k1 === null || k1 !== d[9]) return false;
  const k2 = checkDigit(d, W2);
  return k2 !== null && k2 === d[10];
}

/** The date of birth encoded in a valid `fnr` (ordinary numbers, not D- or H-numbers), as `YYYY-MM-DD`. */
export function birthDateOfFnr(fnr: string): string | null {
  if (!isValidFnr(fnr)) return null;
  const dd = fnr.slice(0, 2);
  const mm = fnr.slice(2, 4);
  const yy = Number(fnr.slice(4, 6));
  const ind = Number(fnr.slice(6, 9));
  let century: number;
  if (ind <= 499) century = 1900;
  else if (ind >= 900 && yy >= 40) century = 1900;
  else if (ind <= 749 && yy >= 54) century = 1800;
  else if (yy <= 39) century = 2000;
  else return null;
  return `${century + yy}-${mm}-${dd}`;
}

/** `1` male, `2` female (the Folkeregisteret sex code), from the third individual digit. */
export function sexOfFnr(fnr: string): '1' | '2' {
  return Number(fnr[8]) % 2 === 1 ? '1' : '2';
}
