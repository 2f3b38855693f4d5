export {
  AccountsError,
  DemoOrgTreeError,
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

export { SCRYPT_DEFAULTS, hashPassword, parsePasswordHash, verifyPassword } from './password.js';

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
  normalizeUsername,
} from './users.js';
export type { DemoAccount, NewUser, UserStoreOptions } from './users.js';

export { LoginService } from './login.js';
export type { Instant, LoginOptions, LoginResult, LoginServiceOptions } from './login.js';

export { DEFAULT_LOGIN_LIMITS, LoginLimits, clientAddressKey, migrateLoginLimits } from './login-limits.js';
export type { LoginBooking, LoginLimit, LoginLimitsOptions } from './login-limits.js';

export { demoOrgFile, loadOrgTree, loadOrgUnits } from './org.js';

export { isRole } from './types.js';
export type { Principal, PublicUser } from './types.js';
export { AccountsModule, DEMO_ACCOUNTS_IN_USE } from './accounts.module.js';
export type { AccountsSettings } from './accounts.module.js';
