/** Injection tokens for what the case capability needs from the platform. */
export const EVENT_STORE = Symbol('EventStore');
export const ORG_TREE = Symbol('OrgTree');
export const CASE_NUMBERS = Symbol('CaseNumbers');
export const CASE_REPOSITORY = Symbol('CaseRepository');
