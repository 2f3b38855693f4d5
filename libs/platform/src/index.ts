export { ConfigError, isConfigurationError, loadConfig } from './config.js';
export type { AppConfig } from './config.js';
export { startEngine } from './engine.js';
export type { Engine, EngineOptions } from './engine.js';
export { createLogger, PinoNestLogger } from './logger.js';
export { currentRequest, requestContext } from './request-context.js';
export type { RequestContext } from './request-context.js';
export { readModels } from './read-models.js';
export { openConfiguredDatabases } from './databases.js';
