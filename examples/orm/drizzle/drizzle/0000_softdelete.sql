-- Written by hand (drizzle-kit generate --custom): the base tables, the
-- softdelete virtual tables over them, and the indexes over live rows.
-- drizzle-orm's migrator runs it inside one transaction.
--
-- deleted_at and deleted_at_op are not written here: softdelete adds them
-- to each base (here at sd_unique/sd_index, inside this transaction, before
-- the tables' first use). schema/base.js declares them, and the indexes
-- created below, so that later drizzle-kit rebuilds keep them.
CREATE TABLE `users_data` (
	`id` integer PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text
);
--> statement-breakpoint
CREATE TABLE `posts_data` (
	`id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`author_id` integer NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users_data`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `comments_data` (
	`id` integer PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`post_id` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts_data`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `users` USING softdelete(users_data);
--> statement-breakpoint
CREATE VIRTUAL TABLE `posts` USING softdelete(posts_data);
--> statement-breakpoint
CREATE VIRTUAL TABLE `comments` USING softdelete(comments_data);
--> statement-breakpoint
CREATE VIRTUAL TABLE `users_trash` USING softdelete(users_data, show=deleted);
--> statement-breakpoint
CREATE VIRTUAL TABLE `posts_trash` USING softdelete(posts_data, show=deleted);
--> statement-breakpoint
CREATE VIRTUAL TABLE `comments_trash` USING softdelete(comments_data, show=deleted);
--> statement-breakpoint
SELECT sd_unique('users', 'email');
--> statement-breakpoint
SELECT sd_index('posts', 'author_id');
--> statement-breakpoint
SELECT sd_index('comments', 'post_id');
