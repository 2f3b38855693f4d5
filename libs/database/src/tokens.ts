/** Injection tokens: where the process's data lives (`Databases`), and the pool on the events and read-model database. */
export const DATABASES = Symbol('Databases');
export const MAIN_POOL = Symbol('MainPool');
