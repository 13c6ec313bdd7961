// softdelete through Knex (better-sqlite3 driver).
// Run with ./run.sh; it sets SOFTDELETE_LIB and SD_DB (a database in a
// temporary folder) and exits non-zero if any check below fails.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const Database = require('better-sqlite3');
const knexFactory = require('knex');

const LIB = process.env.SOFTDELETE_LIB || path.resolve(__dirname, '../../../softdelete.so');
const DB = process.env.SD_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sd-knex-')), 'app.db');

const { eq, ok, fails, run } = require('../checks.js').checks('knex');

// --- the connection: load the extension on EVERY connection the pool opens ---
const connections = new Set();
const knex = knexFactory({
  client: 'better-sqlite3',
  connection: { filename: DB },
  useNullAsDefault: true,
  // Knex keeps one SQLite connection by default; two here so the example can
  // show that each connection of the pool gets the extension.
  pool: {
    min: 1,
    max: 2,
    afterCreate(conn, done) {
      try {
        conn.loadExtension(LIB);          // without this: "no such module: softdelete"
        conn.pragma('busy_timeout = 5000');
        connections.add(conn);
        done(null, conn);
      } catch (e) { done(e, conn); }
    },
  },
});

// --- the migration: raw SQL, run by Knex's migrator inside a transaction ---
const migrations = {
  '001_softdelete_tables': {
    async up(k) {
      inTransaction = k.isTransaction === true;
      for (const sql of [
        `CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)`,
        `CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT NOT NULL,
           author_id INTEGER NOT NULL REFERENCES users_data(id) ON DELETE CASCADE)`,
        `CREATE TABLE comments_data(id INTEGER PRIMARY KEY, body TEXT NOT NULL,
           post_id INTEGER NOT NULL REFERENCES posts_data(id) ON DELETE CASCADE)`,
        `CREATE VIRTUAL TABLE users USING softdelete(users_data)`,
        `CREATE VIRTUAL TABLE posts USING softdelete(posts_data)`,
        `CREATE VIRTUAL TABLE comments USING softdelete(comments_data)`,
        `CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted)`,
        `CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)`,
        `CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted)`,
        // Before the tables' first use, inside the migration's transaction:
        // the functions add the marker columns themselves.
        `SELECT sd_unique('users', 'email')`,
        `SELECT sd_index('posts', 'author_id')`,
        `SELECT sd_index('comments', 'post_id')`,
      ]) await k.raw(sql);
    },
    async down(k) {
      for (const t of ['comments_trash', 'posts_trash', 'users_trash', 'comments', 'posts', 'users',
        'comments_data', 'posts_data', 'users_data']) await k.schema.dropTableIfExists(t);
    },
  },
};
let inTransaction = false;
const migrationSource = {
  async getMigrations() { return Object.keys(migrations); },
  getMigrationName(name) { return name; },
  async getMigration(name) { return migrations[name]; },
};

async function main() {
  // 1. Setup: Knex's migrator wraps each migration in a transaction.
  await knex.migrate.latest({ migrationSource });
  eq((await knex('knex_migrations').pluck('name')), ['001_softdelete_tables'], 'migration recorded');
  ok(inTransaction, 'the migration ran inside a transaction');
  eq(await knex('sqlite_master').where({ name: 'users_data_email_live_unique' }).pluck('type'), ['index'],
    'sd_unique inside the migration transaction created the live-unique index');
  eq((await knex.raw(`SELECT name FROM pragma_table_info('users_data') ORDER BY cid`)).map(r => r.name),
    ['id', 'email', 'name', 'deleted_at', 'deleted_at_op'], 'marker columns added to the base');

  // 2. Every pooled connection has the extension; a connection without it fails.
  const [a, b] = await Promise.all([knex.client.acquireConnection(), knex.client.acquireConnection()]);
  ok(a !== b, 'the pool handed out two different connections');
  for (const c of [a, b]) eq(c.prepare('SELECT count(*) AS n FROM users').get().n, 0, 'pooled connection reads the virtual table');
  knex.client.releaseConnection(a);
  knex.client.releaseConnection(b);
  ok(connections.size === 2, 'afterCreate ran for both connections');
  const bare = new Database(DB);
  await fails(() => bare.prepare('SELECT * FROM users').all(), /no such module: softdelete/,
    'a connection that skipped loadExtension cannot use the tables');
  bare.close();

  // 3. CRUD through the live tables. insert() returns last_insert_rowid().
  const [ada] = await knex('users').insert({ email: 'ada@example.com', name: 'Ada' });
  const [bob] = await knex('users').insert({ email: 'bob@example.com', name: 'Bob' });
  eq([ada, bob], [1, 2], 'insert returns the new ids');
  const [engines] = await knex('posts').insert({ title: 'Engines', author_id: ada });
  const [notes] = await knex('posts').insert({ title: 'Notes', author_id: ada });
  const [hello] = await knex('posts').insert({ title: 'Hello', author_id: bob });
  await knex('comments').insert([
    { body: 'Great', post_id: engines }, { body: 'Indeed', post_id: engines },
    { body: 'Hm', post_id: notes }, { body: 'Hi Bob', post_id: hello },
  ]);
  eq(await knex('posts').where({ id: notes }).update({ title: 'Notes, revised' }), 1, 'update counts one row');
  eq((await knex('posts').where({ id: notes }).first()).title, 'Notes, revised', 'update is visible');
  eq((await knex('posts').count({ n: '*' }).first()).n, 3, 'count of live posts');
  await fails(() => knex('users').insert({ email: 'ada@example.com', name: 'Ada 2' }),
    /UNIQUE constraint failed: users_data\.email/, 'live-unique e-mail refuses a duplicate');

  // Relation loading: a join, and eager loading by IN list, both see live rows only.
  const perAuthor = await knex('users').join('posts', 'posts.author_id', 'users.id')
    .groupBy('users.id').orderBy('users.id').select('users.name').count({ posts: 'posts.id' });
  eq(perAuthor, [{ name: 'Ada', posts: 2 }, { name: 'Bob', posts: 1 }], 'posts per author (join)');

  // 4. Soft delete: Ada's post "Engines" and, by the database's ON DELETE CASCADE, its comments.
  eq(await knex('posts').where({ id: engines }).del(), 1, 'delete counts one post');
  eq((await knex('comments').count({ n: '*' }).first()).n, 2, 'its comments are gone from the live table');
  eq((await knex('comments_data').count({ n: '*' }).first()).n, 4, 'but still in the base table');
  const trash = await knex('comments_trash').where({ post_id: engines }).select('id', 'deleted_at_op');
  eq(trash.length, 2, 'the trash table lists the cascaded comments');
  eq((await knex('posts_trash').where({ id: engines }).first()).deleted_at_op, trash[0].deleted_at_op,
    'post and comments share one operation');
  // better-sqlite3 turns PRAGMA foreign_keys on: a live row may not reference a deleted one.
  eq(await knex.raw('PRAGMA foreign_keys'), [{ foreign_keys: 1 }], 'better-sqlite3 has foreign keys on');
  await fails(() => knex('comments').insert({ body: 'Late', post_id: engines }),
    /references row \d+ of posts, which is deleted/, 'a comment on a deleted post is refused (live parents)');
  const loaded = await loadAuthorsWithPosts();
  eq(loaded.map(u => [u.name, u.posts.map(p => [p.title, p.comments.length])]),
    [['Ada', [['Notes, revised', 1]]], ['Bob', [['Hello', 1]]]], 'eager loading sees live rows only');

  // 5. Restore through the trash table: an UPDATE, so pools route it as a write.
  eq(await knex('posts_trash').where({ id: engines }).update({ deleted_at: null }), 1, 'restore one post');
  eq((await knex('comments').where({ post_id: engines }).count({ n: '*' }).first()).n, 2,
    'restore brings the cascaded comments back (exact restore)');

  // 6. A deleted user's e-mail can sign up again; purge the old row for good.
  eq(await knex('users').where({ id: bob }).del(), 1, 'delete Bob (and his post and comment)');
  const [bob2] = await knex('users').insert({ email: 'bob@example.com', name: 'Bob again' });
  ok(bob2 > bob, 'the e-mail is free again');
  eq(await knex('users_trash').where({ id: bob }).del(), 1, 'purge Bob from the trash');
  eq((await knex('posts_data').where({ id: hello }).count({ n: '*' }).first()).n, 0,
    'the purge took the post its operation cascaded to');

  // 7. TRAP: application-side cascade. Deleting children first, then the parent,
  // makes separate operations, so an exact restore brings back the parent only.
  await knex.transaction(async trx => {
    await trx('comments').where({ post_id: notes }).del();   // operation 1
    await trx('posts').where({ id: notes }).del();           // operation 2
  });
  await knex('posts_trash').where({ id: notes }).update({ deleted_at: null });
  eq((await knex('comments').where({ post_id: notes }).count({ n: '*' }).first()).n, 0,
    'TRAP: app-side cascade: the restored post came back without its comment');
  await knex('comments_trash').where({ post_id: notes }).update({ deleted_at: null }); // repair by hand
  // FIX: delete the parent only; ON DELETE CASCADE in the schema makes one operation.
  await knex('posts').where({ id: notes }).del();
  await knex('posts_trash').where({ id: notes }).update({ deleted_at: null });
  eq((await knex('comments').where({ post_id: notes }).count({ n: '*' }).first()).n, 1,
    'FIX: database cascade: the comment comes back with its post');

  // TRAP: operation ids are 63-bit integers; better-sqlite3 reads them into
  // JavaScript numbers, rounded, so an undo by that id matches nothing.
  await knex('posts').where({ id: engines }).del();
  const rounded = (await knex('posts_trash').where({ id: engines }).first()).deleted_at_op;
  // FIX: read it as a BigInt (better-sqlite3's safeIntegers, as a Knex query option) and bind that.
  const exact = (await knex('posts_trash').where({ id: engines }).first().options({ safeIntegers: true })).deleted_at_op;
  eq(typeof exact, 'bigint', 'safeIntegers reads the operation id as a BigInt');
  const byNumber = await knex('posts_trash').where({ deleted_at_op: rounded }).update({ deleted_at: null });
  eq(byNumber, BigInt(rounded) === BigInt(exact) ? 1 : 0, 'TRAP: undo by an operation id read as a number restores nothing');
  eq(byNumber || await knex('posts_trash').where({ deleted_at_op: exact }).update({ deleted_at: null }), 1,
    'FIX: undo by the BigInt operation id restores the post');
  eq((await knex('comments').where({ post_id: engines }).count({ n: '*' }).first()).n, 2, 'and its comments');

  // 8. TRAP: RETURNING through a virtual table gives NULL for the new id.
  const returned = await knex('users').insert({ email: 'cy@example.com', name: 'Cy' }).returning('id');
  eq(returned, [{ id: null }], 'TRAP: insert().returning("id") reports NULL');
  const [dee] = await knex('users').insert({ email: 'dee@example.com', name: 'Dee' });
  eq((await knex('users').where({ id: dee }).first()).name, 'Dee', 'FIX: insert() without returning gives the id');

  // 9. TRAP: UPSERT is not implemented for virtual tables.
  await fails(() => knex('users').insert({ email: 'dee@example.com', name: 'Dee L.' }).onConflict('email').merge(),
    /UPSERT not implemented for virtual table/, 'TRAP: onConflict().merge() on the virtual table');
  // FIX: upsert on the base, naming the live-unique index's WHERE.
  await knex.raw(`INSERT INTO users_data(email, name) VALUES (?, ?)
    ON CONFLICT(email) WHERE deleted_at IS NULL DO UPDATE SET name = excluded.name`, ['dee@example.com', 'Dee L.']);
  eq(await knex('users').where({ email: 'dee@example.com' }).pluck('name'), ['Dee L.'], 'FIX: upsert on the base');

  // 10. The schema still has virtual tables (Knex never syncs schemas by itself).
  eq(await knex('sqlite_master').where({ name: 'posts' }).pluck('sql'),
    ['CREATE VIRTUAL TABLE posts USING softdelete(posts_data)'], 'posts is still the virtual table');
}

// Eager loading the way Knex code does it: one query per level, by IN list.
async function loadAuthorsWithPosts() {
  const users = await knex('users').orderBy('id');
  const posts = await knex('posts').whereIn('author_id', users.map(u => u.id)).orderBy('id');
  const comments = await knex('comments').whereIn('post_id', posts.map(p => p.id)).orderBy('id');
  for (const p of posts) p.comments = comments.filter(c => c.post_id === p.id);
  for (const u of users) u.posts = posts.filter(p => p.author_id === u.id);
  return users;
}

run(main, () => knex.destroy());
