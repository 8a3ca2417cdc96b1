export { projectRoutes } from './routes.ts';
export { hasOversight, memberRole, requireDataAccess, requireProjectVisible } from './access.ts';
export { currentPermit, type Permit } from './permits.ts';
export { setProjectStatus, type Project } from './projects.ts';
export { LEGAL_BASES, type ApplicationInput } from './schemas.ts';
export { submitApplication, decideApplication, issuePermit } from './applications.ts';
export { requireIndependent, type DutyConflict } from './independence.ts';
export { projectId } from './schemas.ts';
