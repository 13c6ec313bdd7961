// The base tables: the only tables drizzle-kit may see (drizzle.config.js
// points here). They declare softdelete's columns (deleted_at,
// deleted_at_op) and the indexes it creates, so that a table rebuild that
// drizzle-kit generates (create __new_x, copy the declared columns, drop,
// rename) copies the marker instead of dropping it, and re-creates the
// indexes over live rows.
'use strict';
const { sqliteTable, integer, text, index, uniqueIndex } = require('drizzle-orm/sqlite-core');
const { sql } = require('drizzle-orm');

// makeBase({ declareSoftdelete: false }) is the schema WITHOUT those
// declarations: main.js uses it to show what a rebuild then does.
// titleNullable is the later schema change main.js migrates to.
function makeBase({ declareSoftdelete = true, titleNullable = false } = {}) {
  const sd = declareSoftdelete
    ? { deletedAt: text('deleted_at'), deletedAtOp: integer('deleted_at_op') }
    : {};
  const opIndex = (t, base) => (declareSoftdelete
    ? [index(`sd_${base}_deleted_at_op`).on(t.deletedAtOp, t.deletedAt).where(sql`"deleted_at_op" IS NOT NULL`)]
    : []);
  const live = (cond) => (declareSoftdelete ? cond : undefined);

  const usersData = sqliteTable('users_data', {
    id: integer('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name'),
    ...sd,
  }, t => [
    ...(declareSoftdelete ? [uniqueIndex('users_data_email_live_unique').on(t.email).where(live(sql`"deleted_at" IS NULL`))] : []),
    ...opIndex(t, 'users_data'),
  ]);
  const postsData = sqliteTable('posts_data', {
    id: integer('id').primaryKey(),
    title: titleNullable ? text('title') : text('title').notNull(),
    authorId: integer('author_id').notNull().references(() => usersData.id, { onDelete: 'cascade' }),
    ...sd,
  }, t => [
    ...(declareSoftdelete ? [index('posts_data_author_id_live').on(t.authorId).where(sql`"deleted_at" IS NULL`)] : []),
    ...opIndex(t, 'posts_data'),
  ]);
  const commentsData = sqliteTable('comments_data', {
    id: integer('id').primaryKey(),
    body: text('body').notNull(),
    postId: integer('post_id').notNull().references(() => postsData.id, { onDelete: 'cascade' }),
    ...sd,
  }, t => [
    ...(declareSoftdelete ? [index('comments_data_post_id_live').on(t.postId).where(sql`"deleted_at" IS NULL`)] : []),
    ...opIndex(t, 'comments_data'),
  ]);
  return { usersData, postsData, commentsData };
}

const { usersData, postsData, commentsData } = makeBase();
module.exports = { usersData, postsData, commentsData, makeBase };
