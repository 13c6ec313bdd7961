/** A sqlite3 (node-sqlite3) Database: asynchronous loadExtension. */
interface AsyncDatabase {
  loadExtension(path: string, callback?: (err: Error | null) => void): unknown;
  run(...args: any[]): unknown;
  all(...args: any[]): unknown;
  each(...args: any[]): unknown;
}

/** A better-sqlite3 Database or a node:sqlite DatabaseSync. */
interface SyncDatabase {
  loadExtension(path: string, ...rest: any[]): unknown;
}

/**
 * Absolute path of the compiled extension; throws if it was not built.
 * Each SQLite library in a process needs its own copy: pass the client
 * ('better-sqlite3' is the default).
 */
export function getLoadablePath(client?: 'better-sqlite3' | 'sqlite3' | 'node:sqlite'): string;

/** sqlite3 Database: resolves to db once the extension is loaded. */
export function load<D extends AsyncDatabase>(db: D): Promise<D>;
/** better-sqlite3 / node:sqlite: loads synchronously, returns db, throws on failure. */
export function load<D extends SyncDatabase>(db: D): D;
/** Any client, callback style (Knex's pool afterCreate). */
export function load<D extends SyncDatabase>(db: D, callback: (err: Error | null, db: D) => void): void;
