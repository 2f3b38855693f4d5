export {
  BULLETIN_EVENT_TYPES,
  BULLETIN_LIMITS,
  BULLETIN_STATUSES,
  BulletinNotFoundError,
  NO_BULLETIN,
  bulletinItemOf,
  bulletinYear,
  canReadBulletin,
  decideBulletin,
  evolveBulletin,
  foldBulletin,
  issueLabel,
  readableBulletinUnits,
  writeRefusal,
} from './bulletin.js';
export type {
  Bulletin,
  BulletinCommand,
  BulletinEvent,
  BulletinEventDataMap,
  BulletinEventMeta,
  BulletinEventType,
  BulletinItem,
  BulletinNumber,
  BulletinState,
  BulletinStatus,
  DraftBulletin,
  NoBulletin,
  PublishBulletin,
  ReviseBulletin,
} from './bulletin.js';
export { REGISTER_EVENT_TYPES, foldRegister, numberInRegister } from './register.js';
export type { BulletinNumbered, BulletinRegister } from './register.js';
