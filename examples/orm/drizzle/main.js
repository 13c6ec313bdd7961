// softdelete through Drizzle ORM (better-sqlite3 driver) and drizzle-kit.
// Run with ./run.sh; it sets SOFTDELETE_LIB and SD_DB (a database in a
// temporary folder) and exits non-zero if any check below fails.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const Database = require('better-sqlite3');
const { drizzle } = require('drizzle-orm/better-sqlite3');
const { migrate } = require('drizzle-orm/better-sqlite3/migrator');
const { eq: whereEq, count, sql } = require('drizzle-orm');
const { getTableConfig } = require('drizzle-orm/sqlite-core');
const kit = require('drizzle-kit/api');
const base = require('./schema/base.js');
const live = require('./schema/live.js');
const { users, posts, comments, usersTrash, postsTrash, commentsTrash } = live;

const LIB = process.env.SOFTDELETE_LIB || path.resolve(__dirname, '../../../softdelete.so');
const DB = process.env.SD_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sd-drizzle-')), 'app.db');
const WORK = path.dirname(DB);
const MIGRATIONS = path.join(__dirname, 'drizzle');

const { eq, ok, fails, run } = require('../checks.js').checks('drizzle', {
  // Drizzle wraps driver errors: the driver's message is in err.cause.
  errorText: (e) => String(e.message) + (e.cause ? ' ' + String(e.cause.message) : ''),
});

// --- the connection: Drizzle takes a better-sqlite3 connection; load the
// extension into every one you open (here: one factory for all). ---
let opened = 0;
function openDatabase(file = DB) {
  const conn = new Database(file);
  conn.loadExtension(LIB);                 // without this: "no such module: softdelete"
  conn.pragma('busy_timeout = 5000');
  opened++;
  return conn;
}
const sqlite = openDatabase();
const db = drizzle(sqlite, { schema: live });

// Records whether a statement matching `re` was prepared inside a transaction.
function watchPrepare(conn, re, seen) {
  const prepare = conn.prepare.bind(conn);
  conn.prepare = (src) => { if (re.test(src)) seen.push(conn.inTransaction); return prepare(src); };
  return () => { delete conn.prepare; };
}

// A migrations folder: the committed one plus, optionally, one more
// migration (the SQL drizzle-kit generated for a schema change).
function migrationsWith(name, statements) {
  const dir = path.join(WORK, name);
  fs.cpSync(MIGRATIONS, dir, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8'));
  const tag = '0001_title_nullable';
  journal.entries.push({ idx: 1, version: '6', when: journal.entries[0].when + 1, tag, breakpoints: true });
  fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  fs.writeFileSync(path.join(dir, `${tag}.sql`), statements.join('\n--> statement-breakpoint\n'));
  return dir;
}
const kitTables = (b) => ({ usersData: b.usersData, postsData: b.postsData, commentsData: b.commentsData });
// drizzle-kit's SQL for "posts_data.title becomes nullable", from the schema
// with or without softdelete's columns declared: a table rebuild.
async function rebuildStatements(declareSoftdelete) {
  const before = await kit.generateSQLiteDrizzleJson(kitTables(base.makeBase({ declareSoftdelete })));
  const after = await kit.generateSQLiteDrizzleJson(kitTables(base.makeBase({ declareSoftdelete, titleNullable: true })), before.id);
  return kit.generateSQLiteMigration(before, after);
}
async function quietly(fn) {           // drizzle-kit draws a spinner on stdout
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = process.stderr.write = () => true;
  try { return await fn(); } finally { process.stdout.write = out; process.stderr.write = err; }
}

const nLive = async (table, where) => (await db.select({ n: count() }).from(table).where(where))[0].n;

async function main() {
  // 1. Setup: drizzle-orm's migrator runs drizzle/0000_softdelete.sql in one
  // transaction; sd_unique runs there before the tables' first use.
  const seen = [];
  const unwatch = watchPrepare(sqlite, /sd_unique/, seen);
  migrate(db, { migrationsFolder: MIGRATIONS });
  unwatch();
  ok(seen.length > 0 && seen.every(Boolean), 'sd_unique ran inside the migration transaction');
  eq(sqlite.prepare(`SELECT type FROM sqlite_master WHERE name = 'users_data_email_live_unique'`).all(),
    [{ type: 'index' }], 'and created the live-unique index');
  // The database now has exactly what schema/base.js declares.
  for (const t of Object.values(kitTables(base))) {
    const cfg = getTableConfig(t);
    eq(sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(cfg.name).map(r => r.name),
      cfg.columns.map(c => c.name), `${cfg.name}: columns in the database = columns in schema/base.js`);
    const idx = new Set(sqlite.prepare(`SELECT name FROM pragma_index_list(?)`).all(cfg.name).map(r => r.name));
    ok(cfg.indexes.every(i => idx.has(i.config.name)), `${cfg.name}: the declared indexes exist`);
  }
  const snapshot = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta/0000_snapshot.json'), 'utf8'));
  eq(await kit.generateSQLiteMigration(snapshot, await kit.generateSQLiteDrizzleJson(kitTables(base), snapshot.id)), [],
    'schema/base.js matches the committed snapshot: drizzle-kit generate has nothing to do');

  // 2. Drizzle does not pool: each drizzle() wraps one connection. A second
  // one, from the same factory, has the extension; one without it fails.
  const second = openDatabase();
  eq(await drizzle(second).select({ n: count() }).from(users), [{ n: 0 }], 'a second connection reads the virtual table');
  second.close();
  eq(opened, 2, 'both connections loaded the extension');
  const bare = new Database(DB);
  await fails(() => drizzle(bare).select().from(users).all(), /no such module: softdelete/,
    'a connection that skipped loadExtension cannot use the tables');
  bare.close();

  // 3. CRUD through the live tables. run() gives last_insert_rowid().
  const ins = (table, values) => Number(db.insert(table).values(values).run().lastInsertRowid);
  const ada = ins(users, { email: 'ada@example.com', name: 'Ada' });
  const bob = ins(users, { email: 'bob@example.com', name: 'Bob' });
  eq([ada, bob], [1, 2], 'run().lastInsertRowid gives the new ids');
  const engines = ins(posts, { title: 'Engines', authorId: ada });
  const notes = ins(posts, { title: 'Notes', authorId: ada });
  const hello = ins(posts, { title: 'Hello', authorId: bob });
  db.insert(comments).values([
    { body: 'Great', postId: engines }, { body: 'Indeed', postId: engines },
    { body: 'Hm', postId: notes }, { body: 'Hi Bob', postId: hello },
  ]).run();
  eq(db.update(posts).set({ title: 'Notes, revised' }).where(whereEq(posts.id, notes)).run().changes, 1, 'update counts one row');
  eq((await db.query.posts.findFirst({ where: whereEq(posts.id, notes) })).title, 'Notes, revised', 'update is visible');
  eq(await db.$count(posts), 3, 'count of live posts');
  await fails(() => ins(users, { email: 'ada@example.com', name: 'Ada 2' }),
    /UNIQUE constraint failed: users_data\.email/, 'live-unique e-mail refuses a duplicate');

  // 4. Soft delete: the post "Engines" and, by ON DELETE CASCADE, its comments.
  eq(db.delete(posts).where(whereEq(posts.id, engines)).run().changes, 1, 'delete counts one post');
  eq(await db.$count(comments), 2, 'its comments are gone from the live table');
  eq(await db.$count(base.commentsData), 4, 'but still in the base table');
  const trash = await db.select().from(commentsTrash).where(whereEq(commentsTrash.postId, engines));
  eq(trash.length, 2, 'the trash table lists the cascaded comments');
  eq((await db.select().from(postsTrash).where(whereEq(postsTrash.id, engines)))[0].deletedAtOp, trash[0].deletedAtOp,
    'post and comments share one operation');
  eq(sqlite.pragma('foreign_keys', { simple: true }), 1, 'better-sqlite3 has foreign keys on');
  await fails(() => ins(comments, { body: 'Late', postId: engines }),
    /references row \d+ of posts, which is deleted/, 'a comment on a deleted post is refused (live parents)');

  // Relational queries (db.query ... with): JSON subqueries over the virtual tables.
  const loaded = await db.query.users.findMany({
    columns: { name: true }, orderBy: users.id,
    with: { posts: { columns: { title: true }, orderBy: posts.id, with: { comments: { columns: { body: true } } } } },
  });
  eq(loaded, [
    { name: 'Ada', posts: [{ title: 'Notes, revised', comments: [{ body: 'Hm' }] }] },
    { name: 'Bob', posts: [{ title: 'Hello', comments: [{ body: 'Hi Bob' }] }] },
  ], 'relation loading sees live rows only');
  eq(await db.select({ name: users.name, n: count(posts.id) }).from(users).innerJoin(posts, whereEq(posts.authorId, users.id))
    .groupBy(users.id).orderBy(users.id), [{ name: 'Ada', n: 1 }, { name: 'Bob', n: 1 }], 'posts per author (join)');

  // 5. Restore through the trash table: an UPDATE.
  eq(db.update(postsTrash).set({ deletedAt: null }).where(whereEq(postsTrash.id, engines)).run().changes, 1, 'restore one post');
  eq(await nLive(comments, whereEq(comments.postId, engines)), 2, 'restore brings the cascaded comments back (exact restore)');

  // 6. A deleted user's e-mail can sign up again; purge the old row for good.
  db.delete(users).where(whereEq(users.id, bob)).run();
  ok(ins(users, { email: 'bob@example.com', name: 'Bob again' }) > bob, 'the e-mail is free again');
  eq(db.delete(usersTrash).where(whereEq(usersTrash.id, bob)).run().changes, 1, 'purge Bob from the trash');
  eq(await db.$count(base.postsData, whereEq(base.postsData.id, hello)), 0, 'the purge took the post its operation cascaded to');

  // 7. TRAP: application-side cascade (children first, then the parent):
  // two operations, so an exact restore brings back the parent only.
  db.transaction(tx => {
    tx.delete(comments).where(whereEq(comments.postId, notes)).run();   // operation 1
    tx.delete(posts).where(whereEq(posts.id, notes)).run();             // operation 2
  });
  db.update(postsTrash).set({ deletedAt: null }).where(whereEq(postsTrash.id, notes)).run();
  eq(await nLive(comments, whereEq(comments.postId, notes)), 0, 'TRAP: app-side cascade: the post came back without its comment');
  db.update(commentsTrash).set({ deletedAt: null }).where(whereEq(commentsTrash.postId, notes)).run(); // repair
  // FIX: delete the parent only; ON DELETE CASCADE in the schema makes one operation.
  db.delete(posts).where(whereEq(posts.id, notes)).run();
  db.update(postsTrash).set({ deletedAt: null }).where(whereEq(postsTrash.id, notes)).run();
  eq(await nLive(comments, whereEq(comments.postId, notes)), 1, 'FIX: database cascade: the comment comes back with its post');

  // TRAP: operation ids are 63-bit integers; better-sqlite3 reads them into
  // JavaScript numbers, rounded, so an undo by that id matches nothing.
  db.delete(posts).where(whereEq(posts.id, engines)).run();
  const [{ rounded, exact }] = await db.select({ rounded: postsTrash.deletedAtOp, exact: sql`CAST(${postsTrash.deletedAtOp} AS TEXT)` })
    .from(postsTrash).where(whereEq(postsTrash.id, engines));
  const byNumber = db.update(postsTrash).set({ deletedAt: null }).where(whereEq(postsTrash.deletedAtOp, rounded)).run().changes;
  eq(byNumber, BigInt(rounded) === BigInt(exact) ? 1 : 0, 'TRAP: undo by an operation id read as a number restores nothing');
  // FIX: read it as text (CAST ... AS TEXT) and bind it as a BigInt.
  eq(byNumber || db.update(postsTrash).set({ deletedAt: null }).where(sql`${postsTrash.deletedAtOp} = ${BigInt(exact)}`).run().changes, 1,
    'FIX: undo by the exact operation id restores the post');
  eq(await nLive(comments, whereEq(comments.postId, engines)), 2, 'and its comments');

  // 8. TRAP: RETURNING through a virtual table gives NULL for the new id.
  eq(await db.insert(users).values({ email: 'cy@example.com', name: 'Cy' }).returning({ id: users.id }), [{ id: null }],
    'TRAP: insert().returning() reports NULL');
  const dee = ins(users, { email: 'dee@example.com', name: 'Dee' });
  eq((await db.query.users.findFirst({ where: whereEq(users.id, dee) })).name, 'Dee', 'FIX: run().lastInsertRowid gives the id');
  // UPSERT is refused on virtual tables; on the base, name the partial index's WHERE.
  await fails(() => db.insert(users).values({ email: 'dee@example.com', name: 'Dee L.' })
    .onConflictDoUpdate({ target: users.email, set: { name: 'Dee L.' } }).run(),
  /UPSERT not implemented for virtual table/, 'TRAP: onConflictDoUpdate() on the virtual table');
  db.insert(base.usersData).values({ email: 'dee@example.com', name: 'Dee L.' }).onConflictDoUpdate({
    target: base.usersData.email, targetWhere: sql`"deleted_at" IS NULL`, set: { name: sql`excluded.name` },
  }).run();
  eq((await db.select({ name: users.name }).from(users).where(whereEq(users.email, 'dee@example.com'))), [{ name: 'Dee L.' }],
    'FIX: upsert on the base with targetWhere');

  // 9. Schema changes with drizzle-kit. Leave one deleted post (and its
  // comments) in the trash, then migrate "posts_data.title becomes nullable",
  // which drizzle-kit writes as a table rebuild.
  db.delete(posts).where(whereEq(posts.id, engines)).run();
  const op = (await db.select().from(postsTrash).where(whereEq(postsTrash.id, engines)))[0].deletedAtOp;
  const copy = (name) => { const f = path.join(WORK, name); sqlite.prepare('VACUUM INTO ?').run(f); return f; };

  // TRAP: the schema does not declare deleted_at/deleted_at_op: the rebuild
  // copies the other columns only. softdelete then refuses the table (it
  // never shows the deleted post as live again).
  const naive = await rebuildStatements(false);
  ok(naive.some(s => /INSERT INTO `__new_posts_data`\("id", "title", "author_id"\) SELECT/.test(s)),
    'the rebuild copies only the declared columns');
  const trapConn = openDatabase(copy('trap-rebuild.db'));
  trapConn.pragma('foreign_keys = OFF');
  migrate(drizzle(trapConn), { migrationsFolder: migrationsWith('m-naive', naive) });
  await fails(() => drizzle(trapConn).select().from(posts).all(),
    /softdelete: base table posts_data of posts has lost its columns deleted_at and deleted_at_op/,
    'TRAP: rebuild without the declared marker: posts refuses reads (no silent resurrection)');
  await fails(() => drizzle(trapConn).update(postsTrash).set({ deletedAt: null }).run(), /has lost its columns/,
    'and the trash refuses restores');
  trapConn.close();

  // TRAP: drizzle-orm's migrator runs inside a transaction, where drizzle-kit's
  // "PRAGMA foreign_keys=OFF" does nothing; with foreign keys on (better-sqlite3's
  // default) DROP TABLE posts_data deletes every comment for good (ON DELETE CASCADE).
  const fixed = await rebuildStatements(true);
  const fkConn = openDatabase(copy('trap-fk.db'));
  const commentRows = fkConn.prepare('SELECT count(*) AS n FROM comments_data').get().n;
  migrate(drizzle(fkConn), { migrationsFolder: migrationsWith('m-fk', fixed) });
  eq([commentRows > 0, fkConn.prepare('SELECT count(*) AS n FROM comments_data').get().n], [true, 0],
    'TRAP: rebuild with foreign keys on: every comment, live or deleted, is gone');
  fkConn.close();

  // FIX: declare the columns (schema/base.js) and run rebuild migrations with
  // foreign keys off, set outside the migrator's transaction.
  ok(fixed.some(s => /SELECT "id", "title", "author_id", "deleted_at", "deleted_at_op" FROM `posts_data`/.test(s)),
    'with the declared columns the rebuild copies the marker and the operation');
  const postsBefore = await db.$count(posts);
  const commentsBefore = await db.$count(base.commentsData);
  sqlite.pragma('foreign_keys = OFF');
  migrate(db, { migrationsFolder: migrationsWith('m-fixed', fixed) });
  eq(sqlite.pragma('foreign_key_check'), [], 'no foreign key broken by the rebuild');
  sqlite.pragma('foreign_keys = ON');
  eq(sqlite.prepare(`SELECT "notnull" FROM pragma_table_info('posts_data') WHERE name = 'title'`).get().notnull, 0,
    'the schema change is applied');
  eq([await db.$count(posts), await db.$count(base.commentsData)], [postsBefore, commentsBefore], 'no row lost, none resurrected');
  eq((await db.select().from(postsTrash)).map(p => [p.id, p.deletedAtOp]), [[engines, op]], 'the deleted post is still in the trash, same operation');
  ok(sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name IN ('sd_posts_data_deleted_at_op', 'posts_data_author_id_live')`).all().length === 2,
    'the declared indexes over deleted/live rows were re-created');
  db.update(postsTrash).set({ deletedAt: null }).where(whereEq(postsTrash.id, engines)).run();
  eq(await nLive(comments, whereEq(comments.postId, engines)), 2, 'exact restore still works after the rebuild');

  // TRAP: drizzle-kit push diffs the whole database against the schema: it
  // would drop the virtual tables it does not know. FIX: generate + migrate.
  const pushed = await quietly(() => kit.pushSQLiteSchema(kitTables(base), db));
  ok(pushed.statementsToExecute.includes('DROP TABLE `posts`;'), 'TRAP: drizzle-kit push would DROP TABLE posts (the virtual table)');
  eq(sqlite.prepare(`SELECT sql FROM sqlite_master WHERE name = 'posts'`).get().sql,
    'CREATE VIRTUAL TABLE `posts` USING softdelete(posts_data)', 'FIX: never pushed; posts is still the virtual table');
}

run(main, () => sqlite.close());
