import { describe, expect, it } from 'vitest';
import { quantile } from './quantile.ts';

describe('quantile (linear, numpy default)', () => {
  it('is null for no values', () => {
    expect(quantile([], 0.5)).toBeNull();
  });

  it('gives the one value for every p when there is one', () => {
    expect([0, 0.5, 0.9, 1].map((p) => quantile([7], p))).toEqual([7, 7, 7, 7]);
  });

  it('takes the mean of the middle two as the median of an even count, whatever the order', () => {
    expect(quantile([10, 2, 4, 8], 0.5)).toBe(6);
  });

  // numpy.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9.1; ([3, 1, 2], 90) == 2.8
  it('interpolates the 90th percentile as numpy.percentile does', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 12);
    expect(quantile([3, 1, 2], 0.9)).toBeCloseTo(2.8, 12);
    expect(quantile([0, 10], 0.9)).toBe(9);
  });

  it('gives the minimum at 0 and the maximum at 1', () => {
    expect(quantile([5, 3, 9, 1], 0)).toBe(1);
    expect(quantile([5, 3, 9, 1], 1)).toBe(9);
  });

  it('refuses a p outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});
