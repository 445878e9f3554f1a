/**
 * Who may do what on the operator pages: the one place these rules are written. Each operator has one role;
 * each operator route needs one permission (a route without a rule does not start: operator.pages.ts).
 */
export const ROLES = ['admin', 'moderator', 'organizer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['campaigns', 'exports', 'reports', 'roster', 'outbox'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  // Operators, roles and settings are the CLI's today; on the pages, an admin may do everything, the outbox
  // (mail with supporters' addresses) included.
  admin: ['campaigns', 'exports', 'reports', 'roster', 'outbox'],
  // Residents' reports (accepting one changes a record), and the roster of mayors and council members.
  moderator: ['reports', 'roster'],
  // Campaigns and the exports of their supporters.
  organizer: ['campaigns', 'exports'],
};

/** The permission each operator page needs, by method and route. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'GET /operator': 'campaigns',
  'GET /operator/campaigns/:id': 'campaigns',
  'POST /operator/campaigns/:id': 'campaigns',
  'GET /operator/exports/:file': 'exports',
  'GET /operator/reports': 'reports',
  'GET /operator/reports/:id': 'reports',
  'POST /operator/reports/:id': 'reports',
  'GET /operator/roster': 'roster',
  'POST /operator/roster': 'roster',
  'GET /operator/roster/new': 'roster',
  'GET /operator/roster/:id': 'roster',
  'POST /operator/roster/:id': 'roster',
  'GET /operator/outbox': 'outbox',
  'GET /operator/outbox/:id': 'outbox',
};

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** Whether an operator of this role may do what the permission names. */
export function may(role: string, permission: Permission): boolean {
  return isRole(role) && ROLE_PERMISSIONS[role].includes(permission);
}

/** The first page a role may see after signing in. */
export function homeOf(role: string): string {
  if (may(role, 'campaigns')) return '/operator';
  if (may(role, 'reports')) return '/operator/reports';
  return may(role, 'roster') ? '/operator/roster' : '/operator/login';
}
