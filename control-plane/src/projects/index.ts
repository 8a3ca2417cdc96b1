export { projectRoutes } from './routes.ts';
export { dataAccessVerdicts, type DataAccessVerdict } from './data-access.ts';
export { hasOversight, memberRole, requireDataAccess, requireOpenPermit, requireProjectVisible } from './access.ts';
export { currentPermit, getPermit, permitVersions } from './permits.ts';
export { getProject, listProjects, projectDetail, setProjectStatus } from './projects.ts';
export {
  LEGAL_BASES, applicationInputSchema, cohortSchema, type Application, type ApplicationInput, type Permit, type Project, type ProjectDetail, type PublicProject,
} from './schemas.ts';
export { submitApplication, decideApplication, issuePermit } from './applications.ts';
export { requireIndependent, everMember, type DutyConflict } from './independence.ts';
