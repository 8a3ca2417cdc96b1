import { defineModule } from '../module-api/index.ts';
import { citizenRoutes } from './routes.ts';

export { linkCitizen, personLookup, personLookupKey } from './persons.ts';
export { optedOutNationalIds } from './opt-outs.ts';

/** Citizens' insight ("which projects used my data") and opt-out. */
export const citizensModule = defineModule('citizens', (deps) => ({ name: 'citizens', routes: citizenRoutes(deps) }));
