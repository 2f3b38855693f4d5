import type { Session } from './session.js';

/** Where each role starts: the clerk at the intake form, coordinators and leaders at their inbox, auditors at the cases, admins at the accounts. */
export function homePath(session: Session): string {
  if (session.has('coordinator') || session.has('leader')) return '/inbox';
  if (session.has('clerk')) return '/cases/new';
  if (session.has('admin') && !session.has('auditor')) return '/users';
  return '/cases';
}

/** A leader's inbox holds what awaits their annotation; call it that. */
export function leaderOnly(session: Session): boolean {
  return session.has('leader') && !session.has('coordinator') && !session.has('clerk');
}
