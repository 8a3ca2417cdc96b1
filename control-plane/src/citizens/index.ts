import { defineModule } from '../module-api/index.ts';
import { citizenRoutes } from './routes.ts';

export { linkCitizen, personLookup, personLookupKey } from './persons.ts';
export { optedOutNationalIds } from './opt-outs.ts';
export { consentedPersons, consentRoundDone, recordConsentRequests } from './consent.ts';

/** Citizens' insight ("which projects used my data"), opt-out and consent. */
export const citizensModule = defineModule('citizens', (deps) => ({ name: 'citizens', routes: citizenRoutes(deps) }));
