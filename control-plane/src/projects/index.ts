export { projectRoutes } from './routes.ts';
export { hasOversight, memberRole, requireDataAccess, requireOpenPermit, requireProjectVisible } from './access.ts';
export { currentPermit, getPermit, permitVersions, type Permit } from './permits.ts';
export { getProject, listProjects, projectDetail, setProjectStatus, type Project } from './projects.ts';
export { LEGAL_BASES, applicationInputSchema, cohortSchema, type ApplicationInput } from './schemas.ts';
export { submitApplication, decideApplication, issuePermit } from './applications.ts';
export { requireIndependent, everMember, type DutyConflict } from './independence.ts';
export { projectId } from './schemas.ts';
