export {
  AccountNotFoundError,
  AccountsError,
  DemoOrgTreeError,
  PasswordChangeRequiredError,
  SessionRevokedError,
  WrongCurrentPasswordError,
  InvalidCredentialsError,
  InvalidTokenError,
  InvalidUserInputError,
  JwtSecretError,
  LoginThrottledError,
  OrgFileError,
  UserIdTakenError,
  UsernameTakenError,
} from './errors.js';
export type { FieldProblem, InvalidTokenReason } from './errors.js';

export { PasswordHasher, SCRYPT_DEFAULTS, SCRYPT_LOG2N_RANGE, hashPassword, parsePasswordHash, verifyPassword } from './password.js';

export { DEFAULT_TOKEN_TTL_SECONDS, signAccessToken, verifyAccessToken } from './tokens.js';
export type { AccessTokenClaims, SignOptions, TokenSubject, VerifyOptions } from './tokens.js';

export { JWT_SECRET_FILE, MIN_JWT_SECRET_LENGTH, loadOrCreateJwtSecret } from './jwt-secret.js';
export type { JwtSecretOptions } from './jwt-secret.js';

export {
  DEMO_ACCOUNTS,
  DISPLAY_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN,
  UserStore,
  migrateAccounts,
  migrateLegacyUsers,
  normalizeUsername,
} from './users.js';
export type { AccountListQuery, AccountSummary, LegacyUserRow } from './users.js';
export { AccountCommands, CHOSEN_PASSWORD_MAX_LENGTH, DEFAULT_DEMO_PASSWORD, publicAccount } from './account-commands.js';
export type { AccountChanges, AccountCommandContext, DemoAccount, NewAccount } from './account-commands.js';
export { ExecuteAccountCommand, ExecuteAccountCommandHandler, readAccount } from './execute-account-command.js';
export type { AccountCommandResult } from './execute-account-command.js';
export { ACCOUNT_EVENT_TYPES, NO_ACCOUNT, accountIdOf, accountStreamId, endsSessions, evolveAccount, foldAccount, isAccountStream } from './account/account.js';
export type { AccountEvent, AccountEventType, AccountState } from './account/account.js';
export { DISABLE_REASON_MAX_LENGTH, decideAccount } from './account/decide-account.js';
export type { AccountCommand } from './account/decide-account.js';
export { ACCOUNT_VIEW, AccountViewProjection } from './account-view.projection.js';
export { CredentialStore } from './credentials.js';
export type { Credentials } from './credentials.js';
export { SESSION_POLL_MS, SessionRegistry } from './sessions.js';

export { LoginService } from './login.js';
export type { Instant, LoginOptions, LoginResult, LoginServiceOptions } from './login.js';

export { DEFAULT_LOGIN_LIMITS, LoginLimits, clientAddressKey, migrateLoginLimits } from './login-limits.js';
export type { LoginBooking, LoginLimit, LoginLimitsOptions } from './login-limits.js';

export { demoOrgFile, loadOrgTree, loadOrgUnits } from './org.js';

export { isRole } from './types.js';
export type { Principal, PublicUser } from './types.js';
export { AccountsModule, DEMO_ACCOUNTS_IN_USE } from './accounts.module.js';
export type { AccountsSettings } from './accounts.module.js';
