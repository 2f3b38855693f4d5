/** The roles a person can hold (API.md, "Accounts and scope"). */
export const ROLES = ['clerk', 'coordinator', 'leader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A role that can authorise a command: a person's, `system` for the engine's own SLA moves, or
 * `public` for a resident using the opinion mailbox without an account.
 */
export type ActorRole = Role | 'system' | 'public';

/** A person, acting within the subtree of their unit. */
export interface UserActor {
  readonly userId: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

/** The engine itself: SLA warnings and breaches, and escalation when a resolution clock runs out. */
export interface SystemActor {
  readonly userId: 'system';
  readonly roles: readonly ['system'];
  readonly unitId: null;
}

/**
 * A resident without an account (API.md, "The resident's channel"): files to a community or grid,
 * and rates the answer to a case whose access code they hold. Has no unit and reads nothing.
 */
export interface PublicActor {
  readonly userId: 'public';
  readonly roles: readonly ['public'];
  readonly unitId: null;
}

export type Actor = UserActor | SystemActor | PublicActor;

export const SYSTEM_ACTOR: SystemActor = { userId: 'system', roles: ['system'], unitId: null };

export const PUBLIC_ACTOR: PublicActor = { userId: 'public', roles: ['public'], unitId: null };

export function isSystemActor(actor: Actor): actor is SystemActor {
  return actor.roles[0] === 'system';
}

export function isPublicActor(actor: Actor): actor is PublicActor {
  return actor.roles[0] === 'public';
}

export function hasRole(actor: Actor, role: ActorRole): boolean {
  return (actor.roles as readonly ActorRole[]).includes(role);
}
