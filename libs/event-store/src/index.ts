export {
  comparePositions,
  EventIdConflictError,
  WrongExpectedRevisionError,
} from './event-store.port.js';
export type {
  AppendResult,
  BatchHandler,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
} from './event-store.port.js';
export { newEventId } from './event-ids.js';
export { canonicalEventParts, canonicalJson, eventHash, hashFromParts, sha256Hex, StreamChainCheck, streamHeadsDigest, verifyStream } from './hashing.js';
export type { CanonicalEventParts, HashedEventFields, StreamVerification, VerifiableEvent } from './hashing.js';
export { EsdbEventStore } from './esdb/esdb-event-store.js';
export type { EsdbEventStoreOptions } from './esdb/esdb-event-store.js';
export { esdbConnectionString, EVENTSTORE_URL_SCHEMES } from './esdb/esdb-appends.js';
export { PostgresEventStore } from './postgres/postgres-event-store.js';
export type { PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
export { AnchorPositionError, anchorsMatch, parseStoreAnchor } from './event-store-audit.port.js';
export type {
  AnchorPoint,
  AuditableEventStore,
  BrokenStream,
  EventStoreAudit,
  StoreAnchor,
  StoreVerification,
  StreamWithHead,
  VerifyProgress,
  VerifyStoreOptions,
} from './event-store-audit.port.js';
export { verifyStore } from './postgres/store-audit.js';
export { EVENT_STORE_SCHEMA_VERSION, migrateEventStore } from './postgres/migrations.js';
export { EVENT_STORE } from './tokens.js';
