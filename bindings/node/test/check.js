'use strict';
// bindings/node/test/check.js DIR CLIENT... -- run by
// scripts/check-node-package.sh from a folder where the softdelete package is
// installed: a soft delete and a restore through each CLIENT (better-sqlite3,
// sqlite3), both clients at once when both are given, and load()'s promise,
// callback and argument checks. DIR: the folder that must hold the library
// the package loads (the installed package, not some other build).
// Prints the client versions; exit status 1 on failure.
const assert = require('assert');
const fs = require('fs');
const softdelete = require('softdelete');

const want = fs.realpathSync(process.argv[2]);
const lib = softdelete.getLoadablePath();
assert.ok(fs.realpathSync(lib).startsWith(want + '/'), lib + ' is not under ' + want);
const version = require('softdelete/package.json').version;

const SETUP = `CREATE TABLE t_data(id INTEGER PRIMARY KEY, x);
  CREATE VIRTUAL TABLE t USING softdelete(t_data);
  INSERT INTO t(id, x) VALUES (1, 'a'), (2, 'b');
  DELETE FROM t WHERE id = 1;`;

// q(sql) -> Promise of rows; exec(sql) -> Promise.
async function softDelete(q, exec) {
  await exec(SETUP);
  assert.deepStrictEqual(await q("SELECT id FROM t ORDER BY id"), [{ id: 2 }]);
  const base = await q("SELECT id, x, deleted_at IS NOT NULL AS gone FROM t_data ORDER BY id");
  assert.deepStrictEqual(base, [{ id: 1, x: 'a', gone: 1 }, { id: 2, x: 'b', gone: 0 }]);
  assert.deepStrictEqual(await q("SELECT sd_restore('t', 1) AS r"), [{ r: 1 }]);
  assert.deepStrictEqual(await q("SELECT id FROM t ORDER BY id"), [{ id: 1 }, { id: 2 }]);
  assert.deepStrictEqual(await q("SELECT count(*) AS n FROM t_data WHERE deleted_at IS NOT NULL"), [{ n: 0 }]);
  assert.deepStrictEqual(await q("SELECT sd_version() AS v"), [{ v: version }]);
}

const clients = {
  'better-sqlite3': async () => {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    assert.throws(() => db.exec("CREATE VIRTUAL TABLE v USING softdelete(t_data)"), /no such module: softdelete/);
    assert.strictEqual(softdelete.load(db), db);
    softdelete.load(db); // a second load does nothing
    await softDelete(async (s) => db.prepare(s).all(), async (s) => db.exec(s));
    db.close();
    // Callback form (Knex's afterCreate).
    const db2 = new Database(':memory:');
    await new Promise((res, rej) => softdelete.load(db2, (e, d) => (e ? rej(e) : res(d))));
    db2.exec("CREATE TABLE b(id INTEGER PRIMARY KEY); CREATE VIRTUAL TABLE v USING softdelete(b)");
    db2.close();
    return require('better-sqlite3/package.json').version;
  },
  sqlite3: async () => {
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(':memory:');
    const q = (s) => new Promise((res, rej) => db.all(s, (e, rows) => (e ? rej(e) : res(rows))));
    const exec = (s) => new Promise((res, rej) => db.exec(s, (e) => (e ? rej(e) : res())));
    const p = softdelete.load(db);
    assert.ok(p instanceof Promise, 'load(sqlite3 db) returns a Promise');
    assert.strictEqual(await p, db);
    await softDelete(q, exec);
    await new Promise((res, rej) => db.close((e) => (e ? rej(e) : res())));
    // Callback form.
    const db2 = new sqlite3.Database(':memory:');
    await new Promise((res, rej) => softdelete.load(db2, (e, d) => (e ? rej(e) : res(d))));
    await new Promise((res, rej) => db2.exec("CREATE TABLE b(id INTEGER PRIMARY KEY); " +
      "CREATE VIRTUAL TABLE v USING softdelete(b)", (e) => (e ? rej(e) : res())));
    await new Promise((res, rej) => db2.close((e) => (e ? rej(e) : res())));
    return require('sqlite3/package.json').version;
  },
};

// Both SQLite libraries in one process, each connection still in use after
// the other client loaded the extension: each gets its own copy of it.
async function mixed() {
  const Database = require('better-sqlite3');
  const sqlite3 = require('sqlite3');
  const a = softdelete.load(new Database(':memory:'));
  a.exec("CREATE TABLE b(id INTEGER PRIMARY KEY); CREATE VIRTUAL TABLE v USING softdelete(b); " +
         "INSERT INTO v(id) VALUES (1), (2)");
  const b = await softdelete.load(new sqlite3.Database(':memory:'));
  const q = (s) => new Promise((res, rej) => b.all(s, (e, rows) => (e ? rej(e) : res(rows))));
  await q("CREATE TABLE c(id INTEGER PRIMARY KEY)");
  await q("CREATE VIRTUAL TABLE w USING softdelete(c)");
  await q("INSERT INTO w(id) VALUES (7)");
  a.exec("DELETE FROM v WHERE id = 1");
  await q("DELETE FROM w");
  assert.deepStrictEqual(a.prepare("SELECT id FROM v").all(), [{ id: 2 }]);
  assert.deepStrictEqual(await q("SELECT count(*) AS n FROM c WHERE deleted_at IS NOT NULL"), [{ n: 1 }]);
  a.close();
  await new Promise((res, rej) => b.close((e) => (e ? rej(e) : res())));
}

(async () => {
  const names = process.argv.slice(3);
  const done = [];
  try {
    assert.throws(() => softdelete.load({}), TypeError);
    assert.throws(() => softdelete.getLoadablePath('nope'), TypeError);
    for (const name of names) {
      if (!clients[name]) throw new Error('unknown client ' + name);
      done.push(name + ' ' + (await clients[name]()));
    }
    if (names.includes('better-sqlite3') && names.includes('sqlite3')) await mixed();
  } catch (e) {
    console.error('check.js: ' + ((e && e.stack) || e));
    process.exit(1);
  }
  console.log(done.join(', '));
})();
