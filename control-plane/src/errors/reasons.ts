/**
 * The machine-readable reasons of the platform's refusals and failures, one list per context, in
 * snake_case. They are part of the API contract: clients (the UI, the CLI, the helper in a room)
 * branch and key messages on them, so a reason is added here before it is used, and a misspelt
 * one fails the type-check (`DomainError`'s `reason` is a `Reason`).
 *
 * The lists live together rather than in each folder because every folder throws errors and
 * `errors/` imports none of them: a context's list is its section below.
 */

/** The HTTP layer: routes, bodies, sessions, CSRF. */
export const HTTP_REASONS = [
  'malformed_request',
  'invalid_input',
  'body_too_large',
  'request_timeout',
  'upload_interrupted',
  'wrong_content_type',
  'no_such_route',
  'not_authenticated',
  'wrong_role',
  'csrf',
  'bad_origin',
  'web_ui_not_built',
] as const;

/** Accounts, logins, OIDC. */
export const IDENTITY_REASONS = [
  'account_disabled',
  'bad_credentials',
  'bad_return_to',
  'login_rate_limited',
  'mfa_required',
  'totp_required',
  'no_such_user',
  'own_roles',
  'own_account',
  'password_change_required',
  'password_unchanged',
  'user_exists',
  'oidc_code_rejected',
  'oidc_issuer_insecure',
  'oidc_login_expired',
  'oidc_not_configured',
  'oidc_provider_refused',
  'oidc_provider_unavailable',
  'oidc_response_invalid',
  'oidc_state_not_bound',
  'oidc_state_unknown',
  'oidc_subject_unknown',
] as const;

/** The data-access gate (`projects/data-access.ts`), in the order its steps are checked. */
export const DATA_ACCESS_REASONS = ['no_such_project', 'not_a_member', 'project_closed', 'no_permit', 'permit_expired', 'not_authorised_by_permit'] as const;

/** Projects, applications, permits, duties. */
export const PROJECT_REASONS = [
  ...DATA_ACCESS_REASONS,
  'not_project_lead',
  'already_decided',
  'already_issued',
  'concurrent_amendment',
  'expiry_in_past',
  'last_lead',
  'no_independent_deciders_left',
  'no_such_application',
  'no_such_permit',
  'not_approved',
  // an application's scope against the catalogue (`projects/application-checks.ts`)
  'direct_identifier_needs_reason',
  'linkage_needs_two_datasets',
  'period_outside_register',
  // the case flow and dialogue (`projects/case-*.ts`)
  'application_withdrawn',
  'awaiting_applicant',
  'not_awaiting_applicant',
  'not_in_prescreening',
  'not_a_case_handler',
  'not_the_applicant',
  'no_such_attachment',
  'unsupported_attachment_type',
  'empty_attachment',
  'consent_terms_missing',
  // duties: who may not decide (`projects/independence.ts`)
  'own_request',
  'named_in_application',
  'member_of_project',
] as const;

/** The catalogue of datasets. */
export const CATALOG_REASONS = ['direct_identifier', 'no_version', 'unknown_code_list', 'unknown_dataset', 'unknown_variable', 'version_exists'] as const;

/** Citizens' opt-outs and consents. */
export const CITIZEN_REASONS = ['not_a_linked_citizen', 'no_consent_request', 'consent_closed'] as const;

/** Data copies and register intake. */
export const DATA_COPY_REASONS = [
  'copy_deleted',
  'copy_exists',
  'copy_folder_foreign',
  'delivery_rejected',
  'invalid_config',
  'invalid_manifest',
  'invalid_project_id',
  'invalid_scope',
  'missing_source',
  'no_such_copy',
  'consent_set_missing',
] as const;

/** Rooms: the API, the drivers' failures (stored as a room's `failure_reason`), the room's channel. */
export const ROOM_REASONS = [
  'no_such_room',
  'not_room_owner',
  'room_not_running',
  'room_quota',
  'room_stopping',
  'driver_not_configured',
  'terminating',
  // what a driver refuses or fails with
  'invalid_spec',
  'rootfs_missing',
  'data_missing',
  'folder_missing',
  'data_volume_invalid',
  'name_conflict',
  'start_refused',
  'start_error',
  'start_timeout',
  'stop_timeout',
  'remove_timeout',
  'runtime_gone',
  'exited',
  'out_of_memory',
  'failed',
  'sandbox_exited',
  'sandbox_unavailable',
  'docker_unavailable',
  'image_import_failed',
  'image_missing',
  'container_config',
  'container_paused',
  'container_removing',
  'pod_missing',
  'service_missing',
  'network_policy_missing',
  'network_policy_changed',
  'kubernetes_unavailable',
  'kubernetes_timeout',
  'kubernetes_forbidden',
  'kubernetes_invalid',
  // the room's channel to the control plane
  'channel_busy',
  'channel_route_not_allowed',
  'channel_throttled',
  'length_required',
  'owner_disabled',
] as const;

/** Why a room was asked to stop (`rooms.stop_reason`): by whom, or the rule that ended it. */
export const ROOM_STOP_REASONS = ['owner', 'operator', 'standby_recycled', 'idle', 'max_lifetime', ...DATA_ACCESS_REASONS] as const;

/** The room proxy and the entry into a room. */
export const PROXY_REASONS = [
  'bad_path',
  'download_refused',
  'export_refused',
  'wrong_room_host',
  'room_moved',
  'handoff_refused',
  'contents_too_large',
  'contents_unreadable',
  'contents_check_failed',
  'upload_too_large',
  'room_unreachable',
  'proxy_error',
] as const;

/** Files in a room's folders. */
export const ROOM_FILE_REASONS = [
  'file_too_large',
  'invalid_path',
  'no_such_file',
  'not_a_regular_file',
  'not_readable',
  'path_changed',
  'path_escapes_room',
  'path_outside_outputs',
  'symlink_refused',
] as const;

/** The airlock: exports and imports, their review and release. */
export const AIRLOCK_REASONS = [
  'already_resubmitted',
  'already_reviewed',
  'copy_unreadable',
  'duplicate_file',
  'hash_mismatch',
  'no_data_copy',
  'no_files',
  'not_draft',
  'not_in_review',
  'not_requester',
  'not_requester_or_lead',
  'not_resubmittable',
  'not_withdrawable',
  'reason_required',
  'reason_required_over_failed_check',
  // Per-file decisions (airlock/review.ts): every staged file decided once; a comment to reject or return one; the request's decision follows.
  'file_decisions_incomplete',
  'comment_required',
  'decision_mismatch',
  'refused_executable',
  'refused_size',
  'refused_archive',
  'refused_budget',
  'refused_by_policy',
  'request_too_large',
  'no_such_export',
  'no_such_import',
  // release records (`airlock/release-record.ts`)
  'not_a_reviewer',
  'record_changed',
  'table_check_over_budget',
  'table_checks_busy',
  'table_only_in_room',
] as const;

/** The disclosure checks on tables and files. */
export const DISCLOSURE_REASONS = [
  'invalid_table_spec',
  'invalid_regression_spec',
  'model_not_converged',
  'model_too_large',
  'not_binary_outcome',
  'perfect_separation',
  'singular_design',
  'non_numeric_values',
  'non_scalar_column',
  'unknown_aggfunc',
  'unknown_column',
  'unreadable_data',
  'scanner_busy',
  'table_too_large',
  // survival, histogram and pie chart checks
  'invalid_survival_spec',
  'invalid_histogram_spec',
  'invalid_pie_spec',
  'too_many_bins',
  'too_many_groups',
  'too_many_slices',
  'too_many_steps',
] as const;

/** Output and disclosure policies. */
export const POLICY_REASONS = ['invalid_policy', 'unknown_profile'] as const;

/** The store: what keeps it from opening. */
export const STORE_REASONS = ['embedded_postgres_missing'] as const;

/** The audit log and its checkpoints. */
export const AUDIT_REASONS = ['audit_unavailable', 'bad_range', 'no_such_checkpoint', 'not_in_checkpoint', 'search_too_broad'] as const;

export type HttpReason = (typeof HTTP_REASONS)[number];
export type IdentityReason = (typeof IDENTITY_REASONS)[number];
export type DataAccessReason = (typeof DATA_ACCESS_REASONS)[number];
export type ProjectReason = (typeof PROJECT_REASONS)[number];
export type CatalogReason = (typeof CATALOG_REASONS)[number];
export type CitizenReason = (typeof CITIZEN_REASONS)[number];
export type DataCopyReason = (typeof DATA_COPY_REASONS)[number];
export type RoomReason = (typeof ROOM_REASONS)[number];
export type RoomStopReason = (typeof ROOM_STOP_REASONS)[number];
export type ProxyReason = (typeof PROXY_REASONS)[number];
export type RoomFileReason = (typeof ROOM_FILE_REASONS)[number];
export type AirlockReason = (typeof AIRLOCK_REASONS)[number];
export type DisclosureReason = (typeof DISCLOSURE_REASONS)[number];
export type PolicyReason = (typeof POLICY_REASONS)[number];
export type AuditReason = (typeof AUDIT_REASONS)[number];
export type StoreReason = (typeof STORE_REASONS)[number];
export type ExploreReason = (typeof EXPLORE_REASONS)[number];

/** The explorer (issue 14): protected counts without a room. */
export const EXPLORE_REASONS = ['explore_budget_exhausted', 'explore_too_many_cells', 'explore_not_numeric', 'explore_no_version'] as const;

/** Notifications: one that is not the caller's, and the bound on live streams per user. */
export const NOTIFICATION_REASONS = ['no_such_notification', 'too_many_streams'] as const;
export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];
/** Dialogue with researchers: publications and citizens' questions. */
export const DIALOGUE_REASONS = [
  'no_permit_yet',
  'no_results_yet',
  'not_in_register',
  'no_such_question',
  'question_not_waiting',
  'questions_per_day',
  'questions_open',
] as const;
export type DialogueReason = (typeof DIALOGUE_REASONS)[number];

/** Every reason, for the OpenAPI document and for clients that list them. */
export const REASONS = [
  ...HTTP_REASONS,
  ...IDENTITY_REASONS,
  ...PROJECT_REASONS,
  ...CATALOG_REASONS,
  ...CITIZEN_REASONS,
  ...DATA_COPY_REASONS,
  ...ROOM_REASONS,
  ...PROXY_REASONS,
  ...ROOM_FILE_REASONS,
  ...AIRLOCK_REASONS,
  ...DISCLOSURE_REASONS,
  ...POLICY_REASONS,
  ...AUDIT_REASONS,
  ...STORE_REASONS,
  ...EXPLORE_REASONS,
  ...NOTIFICATION_REASONS,
  ...DIALOGUE_REASONS,
] as const;
export type Reason = (typeof REASONS)[number];
