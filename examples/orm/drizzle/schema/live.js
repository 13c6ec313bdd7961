// The models the application queries: the softdelete virtual tables.
// Never give this file to drizzle-kit: it would create plain tables with
// these names (generate) or drop the virtual tables (push).
'use strict';
const { sqliteTable, integer, text } = require('drizzle-orm/sqlite-core');
const { relations } = require('drizzle-orm');

// Live rows only. The hidden marker is not declared: it always reads NULL here.
const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name'),
});
const posts = sqliteTable('posts', {
  id: integer('id').primaryKey(),
  title: text('title'),
  authorId: integer('author_id').notNull(),
});
const comments = sqliteTable('comments', {
  id: integer('id').primaryKey(),
  body: text('body').notNull(),
  postId: integer('post_id').notNull(),
});

const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one, many }) => ({
  author: one(users, { fields: [posts.authorId], references: [users.id] }),
  comments: many(comments),
}));
const commentsRelations = relations(comments, ({ one }) => ({
  post: one(posts, { fields: [comments.postId], references: [posts.id] }),
}));

// The trash tables (show=deleted): deleted rows, with the marker and the
// operation as ordinary columns. UPDATE ... SET deleted_at = NULL restores,
// DELETE purges.
const trashColumns = { deletedAt: text('deleted_at'), deletedAtOp: integer('deleted_at_op') };
const usersTrash = sqliteTable('users_trash', {
  id: integer('id').primaryKey(), email: text('email'), name: text('name'), ...trashColumns,
});
const postsTrash = sqliteTable('posts_trash', {
  id: integer('id').primaryKey(), title: text('title'), authorId: integer('author_id'), ...trashColumns,
});
const commentsTrash = sqliteTable('comments_trash', {
  id: integer('id').primaryKey(), body: text('body'), postId: integer('post_id'), ...trashColumns,
});

module.exports = {
  users, posts, comments, usersRelations, postsRelations, commentsRelations,
  usersTrash, postsTrash, commentsTrash,
};
