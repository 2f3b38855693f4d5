/**
 * Injection tokens for the domain's configuration as a process loads it: the org tree and the SLA
 * policy. Plain symbols: the domain itself stays free of any framework.
 */
export const ORG_TREE = Symbol('OrgTree');
export const SLA_POLICY = Symbol('SlaPolicy');
