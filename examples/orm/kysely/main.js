// softdelete through Kysely (SqliteDialect, better-sqlite3 driver).
// Run with ./run.sh; it sets SOFTDELETE_LIB and SD_DB (a database in a
// temporary folder) and exits non-zero if any check below fails.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const Database = require('better-sqlite3');
const { Kysely, SqliteDialect, SqliteAdapter, Migrator, ParseJSONResultsPlugin, sql } = require('kysely');
const { jsonArrayFrom } = require('kysely/helpers/sqlite');

const LIB = process.env.SOFTDELETE_LIB || path.resolve(__dirname, '../../../softdelete.so');
const DB = process.env.SD_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kysely-')), 'app.db');

const { eq, ok, fails, run } = require('../checks.js').checks('kysely');

// --- the connection: Kysely's SqliteDialect calls this factory for the one
// connection each Kysely instance keeps; load the extension there. ---
let opened = 0;
async function openDatabase() {
  const db = new Database(DB);
  db.loadExtension(LIB);                 // without this: "no such module: softdelete"
  db.pragma('busy_timeout = 5000');
  opened++;
  return db;
}

// Kysely's SqliteAdapter says SQLite has no transactional DDL, so its
// Migrator runs migrations outside any transaction. SQLite does have it:
// this dialect says so, and each migration run is one transaction.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  get supportsTransactionalDdl() { return true; }
}
class SoftdeleteSqliteDialect extends SqliteDialect {
  createAdapter() { return new TransactionalDdlSqliteAdapter(); }
}
// ParseJSONResultsPlugin: SQLite returns jsonArrayFrom()'s nested arrays as text.
const newKysely = () => new Kysely({
  dialect: new SoftdeleteSqliteDialect({ database: openDatabase }),
  plugins: [new ParseJSONResultsPlugin()],
});
const db = newKysely();

// --- the migration: raw SQL ---
let inTransaction = null;
const migrations = {
  '001_softdelete_tables': {
    async up(k) {
      inTransaction = k.isTransaction;
      for (const q of [
        sql`CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)`,
        sql`CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT NOT NULL,
              author_id INTEGER NOT NULL REFERENCES users_data(id) ON DELETE CASCADE)`,
        sql`CREATE TABLE comments_data(id INTEGER PRIMARY KEY, body TEXT NOT NULL,
              post_id INTEGER NOT NULL REFERENCES posts_data(id) ON DELETE CASCADE)`,
        sql`CREATE VIRTUAL TABLE users USING softdelete(users_data)`,
        sql`CREATE VIRTUAL TABLE posts USING softdelete(posts_data)`,
        sql`CREATE VIRTUAL TABLE comments USING softdelete(comments_data)`,
        sql`CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted)`,
        sql`CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)`,
        sql`CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted)`,
        // Before the tables' first use, inside the migration's transaction:
        // the functions add the marker columns themselves.
        sql`SELECT sd_unique('users', 'email')`,
        sql`SELECT sd_index('posts', 'author_id')`,
        sql`SELECT sd_index('comments', 'post_id')`,
      ]) await q.execute(k);
    },
    async down(k) {
      for (const t of ['comments_trash', 'posts_trash', 'users_trash', 'comments', 'posts', 'users',
        'comments_data', 'posts_data', 'users_data']) await k.schema.dropTable(t).ifExists().execute();
    },
  },
};
const provider = { async getMigrations() { return migrations; } };

const count = async (table, where) => {
  let q = db.selectFrom(table).select(eb => eb.fn.countAll().as('n'));
  if (where) q = q.where(...where);
  return (await q.executeTakeFirstOrThrow()).n;
};

async function main() {
  // 1. Setup: Kysely's Migrator, in one transaction (see the dialect above).
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  eq(results.map(r => [r.migrationName, r.status]), [['001_softdelete_tables', 'Success']], 'migration ran');
  eq(inTransaction, true, 'the migration ran inside a transaction');
  eq((await db.selectFrom('sqlite_master').select('type').where('name', '=', 'users_data_email_live_unique').execute()),
    [{ type: 'index' }], 'sd_unique inside the migration transaction created the live-unique index');
  eq((await sql`SELECT name FROM pragma_table_info('users_data') ORDER BY cid`.execute(db)).rows.map(r => r.name),
    ['id', 'email', 'name', 'deleted_at', 'deleted_at_op'], 'marker columns added to the base');

  // 2. Kysely keeps one connection per instance (no pool): a second instance
  // gets its own connection from the same factory, with the extension.
  const db2 = newKysely();
  eq(await db2.selectFrom('users').select(eb => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(), { n: 0 },
    'a second Kysely instance reads the virtual table');
  eq(opened, 2, 'the factory opened (and loaded the extension into) both connections');
  await db2.destroy();
  const bare = new Database(DB);
  await fails(() => bare.prepare('SELECT * FROM users').all(), /no such module: softdelete/,
    'a connection that skipped loadExtension cannot use the tables');
  bare.close();

  // 3. CRUD through the live tables. insertId is last_insert_rowid().
  const ins = async (table, values) => Number((await db.insertInto(table).values(values).executeTakeFirstOrThrow()).insertId);
  const ada = await ins('users', { email: 'ada@example.com', name: 'Ada' });
  const bob = await ins('users', { email: 'bob@example.com', name: 'Bob' });
  eq([ada, bob], [1, 2], 'insertId gives the new ids');
  const engines = await ins('posts', { title: 'Engines', author_id: ada });
  const notes = await ins('posts', { title: 'Notes', author_id: ada });
  const hello = await ins('posts', { title: 'Hello', author_id: bob });
  await db.insertInto('comments').values([
    { body: 'Great', post_id: engines }, { body: 'Indeed', post_id: engines },
    { body: 'Hm', post_id: notes }, { body: 'Hi Bob', post_id: hello },
  ]).execute();
  const upd = await db.updateTable('posts').set({ title: 'Notes, revised' }).where('id', '=', notes).executeTakeFirstOrThrow();
  eq(upd.numUpdatedRows, 1n, 'update counts one row');
  eq((await db.selectFrom('posts').select('title').where('id', '=', notes).executeTakeFirstOrThrow()).title,
    'Notes, revised', 'update is visible');
  eq(await count('posts'), 3, 'count of live posts');
  await fails(() => ins('users', { email: 'ada@example.com', name: 'Ada 2' }),
    /UNIQUE constraint failed: users_data\.email/, 'live-unique e-mail refuses a duplicate');

  // 4. Soft delete: the post "Engines" and, by ON DELETE CASCADE, its comments.
  const del = await db.deleteFrom('posts').where('id', '=', engines).executeTakeFirstOrThrow();
  eq(del.numDeletedRows, 1n, 'delete counts one post');
  eq(await count('comments'), 2, 'its comments are gone from the live table');
  eq(await count('comments_data'), 4, 'but still in the base table');
  const trash = await db.selectFrom('comments_trash').select(['id', 'deleted_at_op']).where('post_id', '=', engines).execute();
  eq(trash.length, 2, 'the trash table lists the cascaded comments');
  eq((await db.selectFrom('posts_trash').select('deleted_at_op').where('id', '=', engines).executeTakeFirstOrThrow()).deleted_at_op,
    trash[0].deleted_at_op, 'post and comments share one operation');

  // better-sqlite3 turns PRAGMA foreign_keys on: a live row may not reference a deleted one.
  eq((await sql`PRAGMA foreign_keys`.execute(db)).rows, [{ foreign_keys: 1 }], 'better-sqlite3 has foreign keys on');
  await fails(() => ins('comments', { body: 'Late', post_id: engines }),
    /references row \d+ of posts, which is deleted/, 'a comment on a deleted post is refused (live parents)');

  // Relation loading with Kysely's JSON helpers: nested correlated subqueries.
  const authors = await db.selectFrom('users').select(eb => [
    'users.name',
    jsonArrayFrom(eb.selectFrom('posts').select(eb2 => [
      'posts.title',
      jsonArrayFrom(eb2.selectFrom('comments').select('comments.body')
        .whereRef('comments.post_id', '=', 'posts.id').orderBy('comments.id')).as('comments'),
    ]).whereRef('posts.author_id', '=', 'users.id').orderBy('posts.id')).as('posts'),
  ]).orderBy('users.id').execute();
  eq(authors, [
    { name: 'Ada', posts: [{ title: 'Notes, revised', comments: [{ body: 'Hm' }] }] },
    { name: 'Bob', posts: [{ title: 'Hello', comments: [{ body: 'Hi Bob' }] }] },
  ], 'nested relation loading sees live rows only');
  const perAuthor = await db.selectFrom('users').innerJoin('posts', 'posts.author_id', 'users.id')
    .select(eb => ['users.name', eb.fn.count('posts.id').as('posts')]).groupBy('users.id').orderBy('users.id').execute();
  eq(perAuthor, [{ name: 'Ada', posts: 1 }, { name: 'Bob', posts: 1 }], 'posts per author (join)');

  // 5. Restore through the trash table: an UPDATE, so it is routed as a write.
  const res = await db.updateTable('posts_trash').set({ deleted_at: null }).where('id', '=', engines).executeTakeFirstOrThrow();
  eq(res.numUpdatedRows, 1n, 'restore one post');
  eq(await count('comments', ['post_id', '=', engines]), 2, 'restore brings the cascaded comments back (exact restore)');

  // 6. A deleted user's e-mail can sign up again; purge the old row for good.
  await db.deleteFrom('users').where('id', '=', bob).execute();
  const bob2 = await ins('users', { email: 'bob@example.com', name: 'Bob again' });
  ok(bob2 > bob, 'the e-mail is free again');
  const purge = await db.deleteFrom('users_trash').where('id', '=', bob).executeTakeFirstOrThrow();
  eq(purge.numDeletedRows, 1n, 'purge Bob from the trash');
  eq(await count('posts_data', ['id', '=', hello]), 0, 'the purge took the post its operation cascaded to');

  // 7. TRAP: application-side cascade (children first, then the parent):
  // two operations, so an exact restore brings back the parent only.
  await db.transaction().execute(async trx => {
    await trx.deleteFrom('comments').where('post_id', '=', notes).execute();   // operation 1
    await trx.deleteFrom('posts').where('id', '=', notes).execute();           // operation 2
  });
  await db.updateTable('posts_trash').set({ deleted_at: null }).where('id', '=', notes).execute();
  eq(await count('comments', ['post_id', '=', notes]), 0, 'TRAP: app-side cascade: the post came back without its comment');
  await db.updateTable('comments_trash').set({ deleted_at: null }).where('post_id', '=', notes).execute(); // repair
  // FIX: delete the parent only; ON DELETE CASCADE in the schema makes one operation.
  await db.deleteFrom('posts').where('id', '=', notes).execute();
  await db.updateTable('posts_trash').set({ deleted_at: null }).where('id', '=', notes).execute();
  eq(await count('comments', ['post_id', '=', notes]), 1, 'FIX: database cascade: the comment comes back with its post');

  // TRAP: operation ids are 63-bit integers; better-sqlite3 reads them into
  // JavaScript numbers, rounded, so an undo by that id matches nothing.
  await db.deleteFrom('posts').where('id', '=', engines).execute();
  const { rounded, exact } = await db.selectFrom('posts_trash').where('id', '=', engines)
    .select(['deleted_at_op as rounded', sql`CAST(deleted_at_op AS TEXT)`.as('exact')]).executeTakeFirstOrThrow();
  const byNumber = Number((await db.updateTable('posts_trash').set({ deleted_at: null })
    .where('deleted_at_op', '=', rounded).executeTakeFirstOrThrow()).numUpdatedRows);
  eq(byNumber, BigInt(rounded) === BigInt(exact) ? 1 : 0, 'TRAP: undo by an operation id read as a number restores nothing');
  // FIX: read it as text (CAST ... AS TEXT) and bind it as a BigInt.
  eq(byNumber || Number((await db.updateTable('posts_trash').set({ deleted_at: null })
    .where('deleted_at_op', '=', BigInt(exact)).executeTakeFirstOrThrow()).numUpdatedRows), 1,
  'FIX: undo by the exact operation id restores the post');
  eq(await count('comments', ['post_id', '=', engines]), 2, 'and its comments');

  // 8. TRAP: RETURNING through a virtual table gives NULL for the new id.
  const returned = await db.insertInto('users').values({ email: 'cy@example.com', name: 'Cy' }).returning('id').execute();
  eq(returned, [{ id: null }], 'TRAP: insertInto().returning("id") reports NULL');
  const dee = await ins('users', { email: 'dee@example.com', name: 'Dee' });
  eq((await db.selectFrom('users').select('name').where('id', '=', dee).executeTakeFirstOrThrow()).name, 'Dee',
    'FIX: insertId (last_insert_rowid) gives the id');

  // 9. TRAP: UPSERT is not implemented for virtual tables.
  await fails(() => db.insertInto('users').values({ email: 'dee@example.com', name: 'Dee L.' })
    .onConflict(oc => oc.column('email').doUpdateSet({ name: 'Dee L.' })).execute(),
  /UPSERT not implemented for virtual table/, 'TRAP: onConflict() on the virtual table');
  // FIX: upsert on the base, naming the live-unique index's WHERE.
  await db.insertInto('users_data').values({ email: 'dee@example.com', name: 'Dee L.' })
    .onConflict(oc => oc.column('email').where('deleted_at', 'is', null).doUpdateSet(eb => ({ name: eb.ref('excluded.name') })))
    .execute();
  eq((await db.selectFrom('users').select('name').where('email', '=', 'dee@example.com').execute()),
    [{ name: 'Dee L.' }], 'FIX: upsert on the base with the partial index WHERE');

  // 10. Still virtual tables (Kysely never syncs schemas by itself).
  eq(await db.selectFrom('sqlite_master').select('sql').where('name', '=', 'posts').execute(),
    [{ sql: 'CREATE VIRTUAL TABLE posts USING softdelete(posts_data)' }], 'posts is still the virtual table');
}

run(main, () => db.destroy());
