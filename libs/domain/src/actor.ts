/** The roles a person can hold (API.md, "Accounts and scope"). */
export const ROLES = ['clerk', 'coordinator', 'leader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A role that can authorise a command: a person's, or `system` for the engine's own SLA moves. */
export type ActorRole = Role | 'system';

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

export type Actor = UserActor | SystemActor;

export const SYSTEM_ACTOR: SystemActor = { userId: 'system', roles: ['system'], unitId: null };

export function isSystemActor(actor: Actor): actor is SystemActor {
  return actor.unitId === null;
}

export function hasRole(actor: Actor, role: ActorRole): boolean {
  return (actor.roles as readonly ActorRole[]).includes(role);
}
