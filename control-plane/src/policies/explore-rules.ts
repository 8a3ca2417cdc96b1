/**
 * The `explore:` section of a policy profile (issue 14), in a file of its own so that the
 * explorer's rules and the airlock's (`schema.ts`) change independently.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).lte(1);

/**
 * Rules of the explorer (issue 14): protected counts across the registers without a room. The
 * method is the ABS TableBuilder's cell-key method (see `explore/ptable.ts`): counts under
 * `threshold` are suppressed, every other count gets a noise in [-maxNoise, maxNoise] with mean 0
 * and variance `noiseVariance`, looked up from the cell's key. Kept apart from the table rules so
 * that the airlock's rules and the explorer's can change independently.
 */
export const ExploreRulesSchema = z
  .strictObject({
    /** The protection method; only the cell-key method is implemented. */
    method: z.literal('cell-key').default('cell-key'),
    /** Persons (or records) under this in a cell: suppressed, shown as `<threshold`. */
    threshold: positiveInt.default(10),
    /** D: the largest noise added to a count. */
    maxNoise: positiveInt.default(2),
    /** V: the variance of the noise (at most D(D+1)/3, the uniform distribution's). */
    noiseVariance: z.number().positive().default(1),
    /** Queries one user may run per UTC day. */
    dailyQueries: positiveInt.default(200),
    /** Largest number of cells one query may produce (levels multiplied), refused before it runs. */
    maxCells: positiveInt.default(2000),
    /** Magnitudes (mean, median, quartiles): nk dominance, as the table rules' nk. */
    nk: z.strictObject({ n: positiveInt, k: fraction }).default({ n: 2, k: 0.9 }),
    /** Magnitudes: p% rule, (total − largest − second) / largest below p fails. */
    pPercent: fraction.default(0.1),
    /**
     * Magnitudes: the mean's perturbation, as a fraction of the cell's largest value: the sum gets
     * ε · largest with ε in [−m, m] drawn from the cell's key, so differencing two means does not
     * give a person's value (ABS TableBuilder perturbs magnitudes from the top contributions).
     */
    magnitudeNoise: z.number().min(0).max(1).default(0.1),
    /** Magnitudes: records a cell needs before its median and quartiles are shown. */
    quartileMinCount: positiveInt.default(20),
    /** Time one query may take, in milliseconds, before it is interrupted. */
    queryBudgetMs: positiveInt.default(10_000),
  })
  .refine((r) => r.maxNoise < r.threshold, { message: 'maxNoise must be under threshold', path: ['maxNoise'] })
  .refine((r) => r.noiseVariance <= (r.maxNoise * (r.maxNoise + 1)) / 3, {
    message: 'noiseVariance must be at most maxNoise(maxNoise+1)/3',
    path: ['noiseVariance'],
  });
export type ExploreRules = z.infer<typeof ExploreRulesSchema>;
