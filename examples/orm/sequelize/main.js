// softdelete through Sequelize 6 (dialect sqlite, driver: the sqlite3 package).
// Run with ./run.sh; it sets SOFTDELETE_LIB and SD_DB (a database in a
// temporary folder) and exits non-zero if any check below fails.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const sqlite3 = require('sqlite3');
const { Sequelize, DataTypes, QueryTypes } = require('sequelize');

const LIB = process.env.SOFTDELETE_LIB || path.resolve(__dirname, '../../../softdelete.so');
const DB = process.env.SD_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sequelize-')), 'app.db');
const WORK = path.dirname(DB);

const { eq, ok, fails, run } = require('../checks.js').checks('sequelize', {
  // Sequelize wraps driver errors: the driver's message is in err.original.
  errorText: (e) => [e.message, e.original && e.original.message].filter(Boolean).join(' / '),
});

// --- the connection. Sequelize's sqlite dialect opens connections itself
// (one for plain queries, a new one for each transaction) and never runs the
// afterConnect hook. It takes the driver from `dialectModule`: this one is
// the sqlite3 package whose Database loads the extension before Sequelize
// gets the connection. ---
let opened = 0;
class SoftdeleteDatabase extends sqlite3.Database {
  constructor(filename, mode, callback) {
    super(filename, mode, (err) => {
      if (err) return callback(err);
      this.loadExtension(LIB, (loadErr) => {     // without this: "no such module: softdelete"
        if (!loadErr) opened++;
        callback(loadErr || null);
      });
    });
  }
}
const dialectModule = { ...sqlite3, Database: SoftdeleteDatabase };
const connect = (storage, extra = {}) => new Sequelize({ dialect: 'sqlite', storage, dialectModule, logging: false, ...extra });
const sequelize = connect(DB);
let afterConnectRuns = 0;
sequelize.addHook('afterConnect', () => { afterConnectRuns++; });

// --- models over the live virtual tables, and the trash tables.
// No sync(): the tables come from the raw SQL below. ---
function defineModels(s) {
  const opts = (tableName) => ({ tableName, timestamps: false, underscored: true });
  const User = s.define('User', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    email: { type: DataTypes.TEXT, allowNull: false },
    name: DataTypes.TEXT,
  }, opts('users'));
  const Post = s.define('Post', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.TEXT, allowNull: false },
    author_id: { type: DataTypes.INTEGER, allowNull: false },
    editor_id: DataTypes.INTEGER,
  }, opts('posts'));
  const Comment = s.define('Comment', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    body: { type: DataTypes.TEXT, allowNull: false },
    post_id: { type: DataTypes.INTEGER, allowNull: false },
  }, opts('comments'));
  // No `hooks: true` on the associations: the database's ON DELETE CASCADE
  // (followed by softdelete, one operation) does the cascading.
  User.hasMany(Post, { as: 'posts', foreignKey: 'author_id' });
  Post.belongsTo(User, { as: 'author', foreignKey: 'author_id' });
  Post.hasMany(Comment, { as: 'comments', foreignKey: 'post_id' });
  Comment.belongsTo(Post, { as: 'post', foreignKey: 'post_id' });

  const trashCols = { deleted_at: DataTypes.TEXT, deleted_at_op: DataTypes.INTEGER };
  const UserTrash = s.define('UserTrash', { ...User.getAttributes(), ...trashCols }, opts('users_trash'));
  const PostTrash = s.define('PostTrash', { ...Post.getAttributes(), ...trashCols }, opts('posts_trash'));
  const CommentTrash = s.define('CommentTrash', { ...Comment.getAttributes(), ...trashCols }, opts('comments_trash'));
  return { User, Post, Comment, UserTrash, PostTrash, CommentTrash };
}
const { User, Post, Comment, UserTrash, PostTrash, CommentTrash } = defineModels(sequelize);

// --- the migration: raw SQL in one transaction ---
const MIGRATION = [
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
  // Before the tables' first use, inside the transaction: the functions add
  // the marker columns themselves.
  `SELECT sd_unique('users', 'email')`,
  `SELECT sd_index('posts', 'author_id')`,
  `SELECT sd_index('comments', 'post_id')`,
];

const one = async (q, replacements, s = sequelize) => s.query(q, { replacements, type: QueryTypes.SELECT, plain: true });
const vtabSql = async (name, s = sequelize) => (await one(`SELECT sql FROM sqlite_master WHERE name = ?`, [name], s)).sql;
const copyDb = async (name) => { const f = path.join(WORK, name); await sequelize.query(`VACUUM INTO ?`, { replacements: [f] }); return f; };

async function main() {
  // 1. Setup in a transaction. Sequelize runs each transaction on a new
  // connection of its own: the second connection, with the extension.
  await sequelize.transaction(async (t) => {
    for (const q of MIGRATION) await sequelize.query(q, { transaction: t });
  });
  eq(await one(`SELECT type FROM sqlite_master WHERE name = 'users_data_email_live_unique'`), { type: 'index' },
    'sd_unique inside the migration transaction created the live-unique index');
  eq((await sequelize.query(`SELECT name FROM pragma_table_info('users_data') ORDER BY cid`, { type: QueryTypes.SELECT })).map(r => r.name),
    ['id', 'email', 'name', 'deleted_at', 'deleted_at_op'], 'marker columns added to the base');

  // 2. Connections: the transaction's and the default one both loaded it;
  // the afterConnect hook never ran; without the custom module: no such module.
  await User.count();
  eq(opened, 2, 'two connections opened (transaction + default), both with the extension');
  eq(afterConnectRuns, 0, 'afterConnect never runs for sqlite: it cannot be used to load the extension');
  const plain = new Sequelize({ dialect: 'sqlite', storage: DB, logging: false });
  await fails(() => plain.query('SELECT * FROM users'), /no such module: softdelete/,
    'a Sequelize without the custom dialectModule: no such module: softdelete');
  await plain.close();

  // 3. CRUD through the live tables. create() gets the id from last_insert_rowid.
  const ada = await User.create({ email: 'ada@example.com', name: 'Ada' });
  const bob = await User.create({ email: 'bob@example.com', name: 'Bob' });
  eq([ada.id, bob.id], [1, 2], 'create() returns the new ids');
  const engines = await Post.create({ title: 'Engines', author_id: ada.id });
  const notes = await Post.create({ title: 'Notes', author_id: ada.id, editor_id: bob.id });
  const hello = await Post.create({ title: 'Hello', author_id: bob.id });
  await Comment.bulkCreate([
    { body: 'Great', post_id: engines.id }, { body: 'Indeed', post_id: engines.id },
    { body: 'Hm', post_id: notes.id }, { body: 'Hi Bob', post_id: hello.id },
  ]);
  notes.title = 'Notes, revised';
  await notes.save();
  eq((await Post.findByPk(notes.id)).title, 'Notes, revised', 'update is visible');
  eq(await Post.count(), 3, 'count of live posts');
  await fails(() => User.create({ email: 'ada@example.com', name: 'Ada 2' }),
    /UNIQUE constraint failed: users_data\.email/, 'live-unique e-mail refuses a duplicate');

  // 4. Soft delete: instance.destroy() is a DELETE; the database cascades.
  await engines.destroy();
  eq(await Comment.count(), 2, 'its comments are gone from the live table');
  eq((await one(`SELECT count(*) AS n FROM comments_data`)).n, 4, 'but still in the base table');
  const trash = await CommentTrash.findAll({ where: { post_id: engines.id } });
  eq(trash.length, 2, 'the trash table lists the cascaded comments');
  eq((await PostTrash.findByPk(engines.id)).deleted_at_op, trash[0].deleted_at_op, 'post and comments share one operation');
  const loaded = await User.findAll({
    include: [{ model: Post, as: 'posts', include: [{ model: Comment, as: 'comments' }] }],
    order: [['id'], [{ model: Post, as: 'posts' }, 'id'], [{ model: Post, as: 'posts' }, { model: Comment, as: 'comments' }, 'id']],
  });
  eq(loaded.map(u => [u.name, u.posts.map(p => [p.title, p.comments.map(c => c.body)])]),
    [['Ada', [['Notes, revised', ['Hm']]]], ['Bob', [['Hello', ['Hi Bob']]]]], 'eager loading (include) sees live rows only');

  // 5. Restore through the trash table: Model.update() is an UPDATE.
  const [restored] = await PostTrash.update({ deleted_at: null }, { where: { id: engines.id } });
  eq(restored, 1, 'restore one post');
  eq(await Comment.count({ where: { post_id: engines.id } }), 2, 'restore brings the cascaded comments back (exact restore)');

  // 6. PRAGMA foreign_keys: Sequelize turns it on for every connection
  // (option foreignKeys, default true). What that changes for softdelete:
  eq(await one('PRAGMA foreign_keys'), { foreign_keys: 1 }, 'Sequelize turned foreign keys on');
  // a) NO ACTION keys (posts.editor_id) refuse to soft-delete a referenced user;
  await fails(() => bob.destroy(), /cannot delete row 2 of users: live rows of posts still reference it \(id=2, ON DELETE NO ACTION\)/,
    'foreign keys on: a NO ACTION key refuses the soft delete of Bob, editor of a live post');
  // b) a live row may not reference a deleted one (live parents).
  await engines.destroy();
  await fails(() => Comment.create({ body: 'Late', post_id: engines.id }),
    /references row 1 of posts, which is deleted/, 'foreign keys on: a comment on a deleted post is refused');
  await PostTrash.update({ deleted_at: null }, { where: { id: engines.id } });
  // With foreignKeys: false neither is checked (rolled back here).
  const fkOff = connect(DB, { foreignKeys: false });
  const M = defineModels(fkOff);
  const t = await fkOff.transaction();
  eq(await fkOff.query('PRAGMA foreign_keys', { transaction: t, type: QueryTypes.SELECT, plain: true }), { foreign_keys: 0 },
    'foreignKeys: false leaves them off');
  eq(await M.User.destroy({ where: { id: bob.id }, transaction: t }), 1, 'foreign keys off: the NO ACTION key is ignored');
  await M.Comment.create({ body: 'Zombie', post_id: hello.id }, { transaction: t });   // Hello went with Bob
  eq((await M.Comment.findAll({ where: { body: 'Zombie' }, transaction: t })).length, 1,
    'foreign keys off: a live comment on a deleted post is accepted');
  await t.rollback();
  await fkOff.close();
  eq(await User.count(), 2, 'rolled back');

  // 7. A deleted user's e-mail can sign up again; purge the old row for good.
  await Post.update({ editor_id: null }, { where: { editor_id: bob.id } });
  await bob.destroy();
  ok((await User.create({ email: 'bob@example.com', name: 'Bob again' })).id > bob.id, 'the e-mail is free again');
  eq(await UserTrash.destroy({ where: { id: bob.id } }), 1, 'purge Bob from the trash (Model.destroy is a DELETE)');
  eq((await one(`SELECT count(*) AS n FROM posts_data WHERE id = ?`, [hello.id])).n, 0, 'the purge took the post its operation cascaded to');

  // 8. TRAP: ORM-side cascade. With onDelete: 'CASCADE', hooks: true, Sequelize
  // loads the children and destroys them one by one before the parent:
  // separate operations, so an exact restore brings back the parent only.
  const OrmPost = sequelize.define('OrmCascadePost', Post.getAttributes(), { tableName: 'posts', timestamps: false });
  OrmPost.hasMany(Comment, { as: 'comments', foreignKey: 'post_id', onDelete: 'CASCADE', hooks: true });
  await (await OrmPost.findByPk(notes.id)).destroy();
  await PostTrash.update({ deleted_at: null }, { where: { id: notes.id } });
  eq(await Comment.count({ where: { post_id: notes.id } }), 0, 'TRAP: hooks: true cascade: the post came back without its comment');
  await CommentTrash.update({ deleted_at: null }, { where: { post_id: notes.id } }); // repair
  // FIX: no hooks: true; the database cascades, one operation.
  await (await Post.findByPk(notes.id)).destroy();
  await PostTrash.update({ deleted_at: null }, { where: { id: notes.id } });
  eq(await Comment.count({ where: { post_id: notes.id } }), 1, 'FIX: database cascade: the comment comes back with its post');

  // 9. TRAP: operation ids are 63-bit integers; the sqlite3 driver reads them
  // into JavaScript numbers, rounded, so an undo by that id matches nothing.
  await engines.destroy();
  const { rounded, exact } = await PostTrash.findByPk(engines.id, { raw: true, attributes: [
    ['deleted_at_op', 'rounded'], [sequelize.cast(sequelize.col('deleted_at_op'), 'TEXT'), 'exact']] });
  const [byNumber] = await PostTrash.update({ deleted_at: null }, { where: { deleted_at_op: rounded } });
  eq(byNumber, BigInt(rounded) === BigInt(exact) ? 1 : 0, 'TRAP: undo by an operation id read as a number restores nothing');
  // FIX: carry operation ids as text (CAST ... AS TEXT), cast back in SQL.
  eq(byNumber || (await PostTrash.update({ deleted_at: null }, { where: { deleted_at_op: sequelize.cast(exact, 'INTEGER') } }))[0], 1,
    'FIX: undo by the operation id as text restores the post');
  eq(await Comment.count({ where: { post_id: engines.id } }), 2, 'and its comments');

  // 10. TRAP: sync({ alter: true }) rebuilds each model's table: it copies
  // the live rows into a backup, DROPs the virtual table and creates a plain
  // table in its place. Shown on a copy of the database.
  const trapStorage = await copyDb('trap-sync.db');
  const trapDb = connect(trapStorage);
  await defineModels(trapDb).User.sync({ alter: true });
  ok(/^CREATE TABLE/.test(await vtabSql('users', trapDb)), 'TRAP: sync({ alter: true }) replaced the virtual table by a plain table');
  await trapDb.close();
  // FIX: never sync these models (no sequelize.sync(), no Model.sync({ alter }));
  // create the tables with migrations. The virtual tables are still there:
  eq(await vtabSql('users'), 'CREATE VIRTUAL TABLE users USING softdelete(users_data)', 'FIX: users is still the virtual table');
  eq(await vtabSql('posts'), 'CREATE VIRTUAL TABLE posts USING softdelete(posts_data)', 'FIX: posts is still the virtual table');

  // 11. TRAP: paranoid models do their own soft delete: UPDATE ... SET deleted_at,
  // which softdelete refuses (the marker is its own). FIX: paranoid: false
  // (the default); destroy() is a DELETE and softdelete makes it soft.
  const Paranoid = sequelize.define('ParanoidUser', { ...User.getAttributes(), deleted_at: DataTypes.DATE },
    { tableName: 'users', timestamps: true, createdAt: false, updatedAt: false, deletedAt: 'deleted_at', paranoid: true });
  await fails(async () => (await Paranoid.findByPk(ada.id)).destroy(), /cannot UPDATE users\.deleted_at: the marker is managed by softdelete/,
    'TRAP: paranoid: true writes deleted_at itself and is refused');
}

run(main, () => sequelize.close());
