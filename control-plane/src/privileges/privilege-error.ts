/**
 * A step of starting as root that could not be done. The control plane then does not serve:
 * the message names the step and what to change.
 */
export class PrivilegeError extends Error {
  readonly step: string;
  constructor(step: string, message: string) {
    super(`cannot drop root (${step}): ${message}`);
    this.name = 'PrivilegeError';
    this.step = step;
  }
}
