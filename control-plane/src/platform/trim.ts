/**
 * `s` without trailing `/` characters. A loop, not `replace(/\/+$/, '')`: that pattern is
 * tried at every slash of a run and scans to the run's end each time, quadratic on a long
 * run of slashes followed by anything else.
 */
export function trimTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2f) end--;
  return s.slice(0, end);
}
