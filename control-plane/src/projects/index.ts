export { projectRoutes } from './routes.ts';
export { dataAccessVerdicts, type DataAccessVerdict } from './data-access.ts';
export { hasOversight, memberRole, requireDataAccess, requireProjectVisible } from './access.ts';
export { currentPermit, getPermit } from './permits.ts';
export { setProjectStatus } from './projects.ts';
export { LEGAL_BASES, type Application, type ApplicationInput, type Permit, type Project, type ProjectDetail, type PublicProject } from './schemas.ts';
export { submitApplication, decideApplication, issuePermit } from './applications.ts';
export { requireIndependent, type DutyConflict } from './independence.ts';
export { projectId } from './schemas.ts';
