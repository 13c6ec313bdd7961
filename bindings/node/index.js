'use strict';
// softdelete: load the softdelete SQLite extension, compiled by this
// package's install script (scripts/build.js), into a database connection.
const fs = require('fs');
const path = require('path');

const LIBNAME = process.platform === 'win32' ? 'softdelete.dll'
  : process.platform === 'darwin' ? 'softdelete.dylib' : 'softdelete.so';
const BUILD = path.join(__dirname, 'build');

// A loadable extension keeps the routines of the SQLite that loaded it in a
// global, and a process opens a given file once: each SQLite library in the
// process (better-sqlite3's, sqlite3's, Node's own) gets its own copy.
const PATHS = {
  'better-sqlite3': path.join(BUILD, LIBNAME),
  sqlite3: path.join(BUILD, 'sqlite3', LIBNAME),
  'node:sqlite': path.join(BUILD, 'node-sqlite', LIBNAME),
};

/**
 * Absolute path of the compiled extension (file name included), as
 * loadExtension() and load_extension() take it. client: 'better-sqlite3'
 * (the default), 'sqlite3' or 'node:sqlite', the copy for that client.
 */
function getLoadablePath(client) {
  const file = PATHS[client === undefined ? 'better-sqlite3' : client];
  if (!file) {
    throw new TypeError('softdelete.getLoadablePath(client): client must be one of ' +
      Object.keys(PATHS).join(', '));
  }
  if (!fs.existsSync(file)) {
    throw new Error('softdelete: ' + file + ' does not exist: the install script that ' +
      'compiles it did not run or failed (npm install --ignore-scripts, or install scripts ' +
      'not allowed); run "npm rebuild softdelete" and read its messages');
  }
  return file;
}

// The sqlite3 package (node-sqlite3) has an asynchronous
// loadExtension(path, callback) and run/all/each on the Database;
// better-sqlite3 and node:sqlite have a synchronous loadExtension(path).
function clientOf(db) {
  if (typeof db.run === 'function' && typeof db.all === 'function' &&
      typeof db.each === 'function') return 'sqlite3';
  if (db.constructor && db.constructor.name === 'DatabaseSync') return 'node:sqlite';
  return 'better-sqlite3';
}

function loadAsync(db, callback) {
  let file;
  try {
    file = getLoadablePath('sqlite3');
  } catch (e) {
    process.nextTick(callback, e, db);
    return;
  }
  db.loadExtension(file, (err) => callback(err || null, db));
}

/**
 * Loads the extension into one connection.
 *  better-sqlite3, node:sqlite: synchronous, returns db, throws on failure.
 *  sqlite3 (node-sqlite3): returns a Promise of db.
 * With a callback (err, db), either kind calls it and returns undefined.
 */
function load(db, callback) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('softdelete.load(db): db must be a better-sqlite3 Database, a sqlite3 ' +
      'Database or a node:sqlite DatabaseSync (an object with a loadExtension method)');
  }
  if (callback !== undefined && typeof callback !== 'function') {
    throw new TypeError('softdelete.load(db, callback): callback must be a function');
  }
  const client = clientOf(db);
  if (client === 'sqlite3') {
    if (callback) {
      loadAsync(db, callback);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      loadAsync(db, (err) => (err ? reject(err) : resolve(db)));
    });
  }
  let error = null;
  try {
    db.loadExtension(getLoadablePath(client));
  } catch (e) {
    error = e;
  }
  if (callback) {
    callback(error, db);
    return undefined;
  }
  if (error) throw error;
  return db;
}

module.exports = { getLoadablePath, load };
