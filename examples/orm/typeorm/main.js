// softdelete through TypeORM (type "better-sqlite3").
// Run with ./run.sh; it sets SOFTDELETE_LIB and SD_DB (a database in a
// temporary folder) and exits non-zero if any check below fails.
'use strict';
require('reflect-metadata');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const Database = require('better-sqlite3');
const { DataSource, EntitySchema } = require('typeorm');

const LIB = process.env.SOFTDELETE_LIB || path.resolve(__dirname, '../../../softdelete.so');
const DB = process.env.SD_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sd-typeorm-')), 'app.db');
const WORK = path.dirname(DB);

const { eq, ok, fails, run } = require('../checks.js').checks('typeorm');

// --- entities (EntitySchema: plain JavaScript, no decorators) ---
const id = { type: 'integer', primary: true, generated: 'increment' };
const User = new EntitySchema({
  name: 'User', tableName: 'users',
  columns: { id, email: { type: 'text' }, name: { type: 'text', nullable: true } },
  relations: { posts: { type: 'one-to-many', target: 'Post', inverseSide: 'author' } },
});
const Post = new EntitySchema({
  name: 'Post', tableName: 'posts',
  columns: { id, title: { type: 'text' }, author_id: { type: 'integer' }, editor_id: { type: 'integer', nullable: true } },
  relations: {
    author: { type: 'many-to-one', target: 'User', joinColumn: { name: 'author_id' }, inverseSide: 'posts' },
    // No cascade: ['remove'] here: the database's ON DELETE CASCADE does it.
    comments: { type: 'one-to-many', target: 'Comment', inverseSide: 'post' },
  },
});
const Comment = new EntitySchema({
  name: 'Comment', tableName: 'comments',
  columns: { id, body: { type: 'text' }, post_id: { type: 'integer' } },
  relations: { post: { type: 'many-to-one', target: 'Post', joinColumn: { name: 'post_id' }, inverseSide: 'comments' } },
});
const trashColumns = { deleted_at: { type: 'text', nullable: true }, deleted_at_op: { type: 'integer', nullable: true } };
const trashOf = (name, tableName, columns) => new EntitySchema({ name, tableName, columns: { ...columns, ...trashColumns } });
const UserTrash = trashOf('UserTrash', 'users_trash', { id: { type: 'integer', primary: true }, email: { type: 'text' }, name: { type: 'text', nullable: true } });
const PostTrash = trashOf('PostTrash', 'posts_trash', { id: { type: 'integer', primary: true }, title: { type: 'text' }, author_id: { type: 'integer' }, editor_id: { type: 'integer', nullable: true } });
const CommentTrash = trashOf('CommentTrash', 'comments_trash', { id: { type: 'integer', primary: true }, body: { type: 'text' }, post_id: { type: 'integer' } });

// TRAP entities (section 8): an ORM-side cascade, and TypeORM's own soft delete.
const OrmCascadePost = new EntitySchema({
  name: 'OrmCascadePost', tableName: 'posts',
  columns: { id, title: { type: 'text' }, author_id: { type: 'integer' } },
  relations: { comments: { type: 'one-to-many', target: 'OrmCascadeComment', inverseSide: 'post', cascade: ['remove'] } },
});
const OrmCascadeComment = new EntitySchema({
  name: 'OrmCascadeComment', tableName: 'comments',
  columns: { id, body: { type: 'text' }, post_id: { type: 'integer' } },
  relations: { post: { type: 'many-to-one', target: 'OrmCascadePost', joinColumn: { name: 'post_id' }, inverseSide: 'comments' } },
});
const SoftRemovingUser = new EntitySchema({
  name: 'SoftRemovingUser', tableName: 'users',
  columns: { id, email: { type: 'text' }, name: { type: 'text', nullable: true }, deleted_at: { type: 'datetime', deleteDate: true, nullable: true } },
});

// --- the migration: raw SQL; TypeORM runs migrations in a transaction ---
let migrationInTransaction = null;
class SoftdeleteTables1714564800000 {
  name = 'SoftdeleteTables1714564800000';
  async up(q) {
    migrationInTransaction = q.isTransactionActive;
    for (const sql of [
      `CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)`,
      // editor_id has no ON DELETE clause: NO ACTION (see the foreign_keys checks)
      `CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT NOT NULL,
         author_id INTEGER NOT NULL REFERENCES users_data(id) ON DELETE CASCADE,
         editor_id INTEGER REFERENCES users_data(id))`,
      `CREATE TABLE comments_data(id INTEGER PRIMARY KEY, body TEXT NOT NULL,
         post_id INTEGER NOT NULL REFERENCES posts_data(id) ON DELETE CASCADE)`,
      `CREATE VIRTUAL TABLE users USING softdelete(users_data)`,
      `CREATE VIRTUAL TABLE posts USING softdelete(posts_data)`,
      `CREATE VIRTUAL TABLE comments USING softdelete(comments_data)`,
      `CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted)`,
      `CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)`,
      `CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted)`,
      // Before the tables' first use, inside the transaction: the functions
      // add the marker columns themselves.
      `SELECT sd_unique('users', 'email')`,
      `SELECT sd_index('posts', 'author_id')`,
      `SELECT sd_index('comments', 'post_id')`,
    ]) await q.query(sql);
  }
  async down(q) {
    for (const t of ['comments_trash', 'posts_trash', 'users_trash', 'comments', 'posts', 'users',
      'comments_data', 'posts_data', 'users_data']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}

// --- the connection: TypeORM's better-sqlite3 driver keeps one connection
// per DataSource and calls prepareDatabase on it before first use. ---
let prepared = 0;
const entities = [User, Post, Comment, UserTrash, PostTrash, CommentTrash, OrmCascadePost, OrmCascadeComment, SoftRemovingUser];
const dataSource = (database, extra = {}) => new DataSource({
  type: 'better-sqlite3',
  database,
  entities,
  migrations: [SoftdeleteTables1714564800000],
  synchronize: false,            // never: it would replace the virtual tables (section 10)
  prepareDatabase(db) {
    db.loadExtension(LIB);       // without this: "no such module: softdelete"
    prepared++;
  },
  ...extra,
});
const ds = dataSource(DB);

async function main() {
  await ds.initialize();
  // 1. Setup: runMigrations, one transaction for all (TypeORM's default).
  const ran = await ds.runMigrations({ transaction: 'all' });
  eq(ran.map(m => m.name), ['SoftdeleteTables1714564800000'], 'migration ran');
  eq(migrationInTransaction, true, 'the migration ran inside a transaction');
  eq(await ds.query(`SELECT type FROM sqlite_master WHERE name = 'users_data_email_live_unique'`), [{ type: 'index' }],
    'sd_unique inside the migration transaction created the live-unique index');
  eq((await ds.query(`SELECT name FROM pragma_table_info('users_data') ORDER BY cid`)).map(r => r.name),
    ['id', 'email', 'name', 'deleted_at', 'deleted_at_op'], 'marker columns added to the base');

  // 2. One connection per DataSource: a second DataSource gets its own, with
  // the extension; a connection without it fails.
  const ds2 = await dataSource(DB).initialize();
  eq(await ds2.getRepository(User).count(), 0, 'a second DataSource reads the virtual table');
  await ds2.destroy();
  eq(prepared, 2, 'prepareDatabase loaded the extension into both connections');
  const bare = new Database(DB);
  await fails(() => bare.prepare('SELECT * FROM users').all(), /no such module: softdelete/,
    'a connection that skipped loadExtension cannot use the tables');
  bare.close();

  // 3. CRUD through the live tables. save() takes the id from last_insert_rowid.
  const users = ds.getRepository(User), posts = ds.getRepository(Post), comments = ds.getRepository(Comment);
  const ada = await users.save({ email: 'ada@example.com', name: 'Ada' });
  const bob = await users.save({ email: 'bob@example.com', name: 'Bob' });
  eq([ada.id, bob.id], [1, 2], 'save() returns the new ids');
  const engines = await posts.save({ title: 'Engines', author_id: ada.id });
  const notes = await posts.save({ title: 'Notes', author_id: ada.id, editor_id: bob.id });
  const hello = await posts.save({ title: 'Hello', author_id: bob.id });
  await comments.save([
    { body: 'Great', post_id: engines.id }, { body: 'Indeed', post_id: engines.id },
    { body: 'Hm', post_id: notes.id }, { body: 'Hi Bob', post_id: hello.id },
  ]);
  eq((await posts.update(notes.id, { title: 'Notes, revised' })).affected, 1, 'update counts one row');
  eq((await posts.findOneBy({ id: notes.id })).title, 'Notes, revised', 'update is visible');
  eq(await posts.count(), 3, 'count of live posts');
  await fails(() => users.insert({ email: 'ada@example.com', name: 'Ada 2' }),
    /UNIQUE constraint failed: users_data\.email/, 'live-unique e-mail refuses a duplicate');

  // 4. Soft delete: a DELETE; the database cascades.
  eq((await posts.delete(engines.id)).affected, 1, 'delete counts one post');
  eq(await comments.count(), 2, 'its comments are gone from the live table');
  eq((await ds.query('SELECT count(*) AS n FROM comments_data'))[0].n, 4, 'but still in the base table');
  const trash = await ds.getRepository(CommentTrash).findBy({ post_id: engines.id });
  eq(trash.length, 2, 'the trash table lists the cascaded comments');
  eq((await ds.getRepository(PostTrash).findOneBy({ id: engines.id })).deleted_at_op, trash[0].deleted_at_op,
    'post and comments share one operation');
  const loaded = await users.find({ relations: { posts: { comments: true } }, order: { id: 'ASC', posts: { id: 'ASC', comments: { id: 'ASC' } } } });
  eq(loaded.map(u => [u.name, u.posts.map(p => [p.title, p.comments.map(c => c.body)])]),
    [['Ada', [['Notes, revised', ['Hm']]]], ['Bob', [['Hello', ['Hi Bob']]]]], 'relation loading sees live rows only');

  // 5. Restore through the trash table: update() is an UPDATE.
  eq((await ds.getRepository(PostTrash).update({ id: engines.id }, { deleted_at: null })).affected, 1, 'restore one post');
  eq(await comments.countBy({ post_id: engines.id }), 2, 'restore brings the cascaded comments back (exact restore)');

  // 6. PRAGMA foreign_keys: TypeORM turns it on for its connection, after
  // prepareDatabase, whatever you set there. What that changes for softdelete:
  eq(await ds.query('PRAGMA foreign_keys'), [{ foreign_keys: 1 }], 'TypeORM turned foreign keys on');
  // a) NO ACTION keys (posts.editor_id) refuse to soft-delete a referenced user;
  await fails(() => users.delete(bob.id), /cannot delete row 2 of users: live rows of posts still reference it \(id=2, ON DELETE NO ACTION\)/,
    'foreign keys on: a NO ACTION key refuses the soft delete of Bob, editor of a live post');
  // b) a live row may not reference a deleted one (live parents).
  await posts.delete(engines.id);
  await fails(() => comments.insert({ body: 'Late', post_id: engines.id }),
    /references row 1 of posts, which is deleted/, 'foreign keys on: a comment on a deleted post is refused');
  await ds.getRepository(PostTrash).update({ id: engines.id }, { deleted_at: null });
  // With foreign keys off (set outside a transaction) neither is checked (rolled back here).
  await ds.query('PRAGMA foreign_keys = OFF');
  const qr = ds.createQueryRunner();
  await qr.startTransaction();
  eq((await qr.manager.delete(User, bob.id)).affected, 1, 'foreign keys off: the NO ACTION key is ignored');
  await qr.manager.insert(Comment, { body: 'Zombie', post_id: hello.id });   // Hello went with Bob
  eq(await qr.manager.countBy(Comment, { body: 'Zombie' }), 1, 'foreign keys off: a live comment on a deleted post is accepted');
  await qr.rollbackTransaction();
  await qr.release();
  await ds.query('PRAGMA foreign_keys = ON');
  eq(await users.count(), 2, 'rolled back');

  // 7. A deleted user's e-mail can sign up again; purge the old row for good.
  await posts.update({ editor_id: bob.id }, { editor_id: null });
  await users.delete(bob.id);
  ok((await users.save({ email: 'bob@example.com', name: 'Bob again' })).id > bob.id, 'the e-mail is free again');
  eq((await ds.getRepository(UserTrash).delete(bob.id)).affected, 1, 'purge Bob from the trash (delete() is a DELETE)');
  eq((await ds.query('SELECT count(*) AS n FROM posts_data WHERE id = ?', [hello.id]))[0].n, 0,
    'the purge took the post its operation cascaded to');

  // 8. TRAP: ORM-side cascade. cascade: ['remove'] makes TypeORM delete the
  // loaded children itself, before the parent: separate operations, so an
  // exact restore brings back the parent only.
  const ormPosts = ds.getRepository(OrmCascadePost);
  await ormPosts.remove(await ormPosts.findOne({ where: { id: notes.id }, relations: { comments: true } }));
  await ds.getRepository(PostTrash).update({ id: notes.id }, { deleted_at: null });
  eq(await comments.countBy({ post_id: notes.id }), 0, "TRAP: cascade: ['remove']: the post came back without its comment");
  await ds.getRepository(CommentTrash).update({ post_id: notes.id }, { deleted_at: null }); // repair
  // FIX: no cascade remove; the database cascades, one operation.
  await posts.remove(await posts.findOneBy({ id: notes.id }));
  await ds.getRepository(PostTrash).update({ id: notes.id }, { deleted_at: null });
  eq(await comments.countBy({ post_id: notes.id }), 1, 'FIX: database cascade: the comment comes back with its post');

  // TRAP: a DeleteDateColumn (softDelete/softRemove) writes deleted_at itself,
  // which softdelete refuses. FIX: plain delete()/remove(); softdelete makes it soft.
  await fails(() => ds.getRepository(SoftRemovingUser).softDelete(ada.id),
    /cannot UPDATE users\.deleted_at: the marker is managed by softdelete/, 'TRAP: softDelete() is refused');

  // 9. TRAP: operation ids are 63-bit integers; better-sqlite3 reads them into
  // JavaScript numbers, rounded, so an undo by that id matches nothing.
  await posts.delete(engines.id);
  const postTrash = ds.getRepository(PostTrash);
  const { rounded, exact } = await postTrash.createQueryBuilder('t')
    .select('t.deleted_at_op', 'rounded').addSelect('CAST(t.deleted_at_op AS TEXT)', 'exact')
    .where('t.id = :id', { id: engines.id }).getRawOne();
  const byNumber = (await postTrash.update({ deleted_at_op: rounded }, { deleted_at: null })).affected;
  eq(byNumber, BigInt(rounded) === BigInt(exact) ? 1 : 0, 'TRAP: undo by an operation id read as a number restores nothing');
  // FIX: carry operation ids as text (CAST ... AS TEXT), cast back in SQL.
  eq(byNumber || (await postTrash.createQueryBuilder().update().set({ deleted_at: null })
    .where('deleted_at_op = CAST(:op AS INTEGER)', { op: exact }).execute()).affected, 1,
  'FIX: undo by the operation id as text restores the post');
  eq(await comments.countBy({ post_id: engines.id }), 2, 'and its comments');

  // 10. TRAP: synchronize: true compares the entities with the tables and
  // rebuilds the virtual tables as plain ones. Shown on a copy.
  const copy = path.join(WORK, 'trap-sync.db');
  await ds.query('VACUUM INTO ?', [copy]);
  const synced = dataSource(copy, { entities: [User, Post, Comment], synchronize: true, migrations: [] });
  await synced.initialize();
  ok(/^CREATE TABLE/.test((await synced.query(`SELECT sql FROM sqlite_master WHERE name = 'posts'`))[0].sql),
    'TRAP: synchronize: true replaced the virtual table posts by a plain table');
  await synced.destroy();
  // FIX: synchronize: false (above); tables come from migrations.
  for (const t of ['users', 'posts', 'comments', 'posts_trash']) {
    ok(/^CREATE VIRTUAL TABLE/.test((await ds.query(`SELECT sql FROM sqlite_master WHERE name = ?`, [t]))[0].sql),
      `FIX: synchronize: false: ${t} is still a virtual table`);
  }
}

run(main, async () => { if (ds.isInitialized) await ds.destroy(); });
