"""The blog schema: base tables with their foreign keys, the softdelete
virtual tables over them, and the indexes over live rows, in one migration.

Django runs a migration on SQLite in one transaction (Migration.atomic), so
sd_unique() and sd_index() run in the same transaction as the CREATE VIRTUAL
TABLE before it, before the table was ever used: the function adds the
marker columns itself (docs/schema.md: Columns added to the base). The models of the
virtual tables are unmanaged: Django records them but never creates, alters
or rebuilds those tables.
"""
from django.db import migrations, models
import django.db.models.deletion

FORWARD = [
    "CREATE TABLE users_data (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL)",
    "CREATE TABLE posts_data (id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
    " author_id INTEGER NOT NULL REFERENCES users_data(id) ON DELETE CASCADE)",
    # comments.author_id has no ON DELETE: NO ACTION, which refuses soft
    # deletes while PRAGMA foreign_keys is on (Django turns it on).
    "CREATE TABLE comments_data (id INTEGER PRIMARY KEY, body TEXT NOT NULL,"
    " post_id INTEGER NOT NULL REFERENCES posts_data(id) ON DELETE CASCADE,"
    " author_id INTEGER NOT NULL REFERENCES users_data(id))",
    "CREATE VIRTUAL TABLE users USING softdelete(users_data)",
    "CREATE VIRTUAL TABLE posts USING softdelete(posts_data)",
    "CREATE VIRTUAL TABLE comments USING softdelete(comments_data)",
    "CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted)",
    "CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)",
    "CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted)",
]
INDEXES = [
    "SELECT sd_unique('users', 'email')",
    "SELECT sd_index('posts', 'author_id')",
    "SELECT sd_index('comments', 'post_id')",
    "SELECT sd_index('comments', 'author_id')",
]
BACKWARD = [
    "DROP TABLE comments_trash", "DROP TABLE posts_trash", "DROP TABLE users_trash",
    "DROP TABLE comments", "DROP TABLE posts", "DROP TABLE users",
    "DROP TABLE comments_data", "DROP TABLE posts_data", "DROP TABLE users_data",
]


def record_transaction(apps, schema_editor):
    from blog import migration_log
    raw = schema_editor.connection.connection
    migration_log.append(("0001", schema_editor.connection.in_atomic_block,
                          raw.in_transaction,
                          raw.execute("PRAGMA foreign_keys").fetchone()[0]))


def trash_fields(*fields):
    return [("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")), *fields,
            ("deleted_at", models.TextField(null=True)),
            ("deleted_at_op", models.BigIntegerField(null=True))]


UNMANAGED = {"managed": False}

class Migration(migrations.Migration):
    initial = True
    atomic = True           # the default, said out loud
    dependencies = []

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
        migrations.RunPython(record_transaction, migrations.RunPython.noop),
        migrations.RunSQL(INDEXES, reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name="User",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("email", models.TextField()), ("name", models.TextField())],
            options={"db_table": "users", **UNMANAGED}),
        migrations.CreateModel(
            name="Post",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("title", models.TextField()),
                    ("author", models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING,
                                                 related_name="posts", to="blog.user"))],
            options={"db_table": "posts", **UNMANAGED}),
        migrations.CreateModel(
            name="Comment",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("body", models.TextField()),
                    ("post", models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING,
                                               related_name="comments", to="blog.post")),
                    ("author", models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING,
                                                 related_name="comments", to="blog.user"))],
            options={"db_table": "comments", **UNMANAGED}),
        migrations.CreateModel(
            name="UserTrash",
            fields=trash_fields(("email", models.TextField()), ("name", models.TextField())),
            options={"db_table": "users_trash", **UNMANAGED}),
        migrations.CreateModel(
            name="PostTrash",
            fields=trash_fields(("title", models.TextField()),
                                ("author_id", models.IntegerField())),
            options={"db_table": "posts_trash", **UNMANAGED}),
        migrations.CreateModel(
            name="CommentTrash",
            fields=trash_fields(("body", models.TextField()),
                                ("post_id", models.IntegerField()),
                                ("author_id", models.IntegerField())),
            options={"db_table": "comments_trash", **UNMANAGED}),
        migrations.CreateModel(
            name="OrmCascadePost",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("title", models.TextField()), ("author_id", models.IntegerField())],
            options={"db_table": "posts", **UNMANAGED}),
        migrations.CreateModel(
            name="OrmCascadeComment",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("body", models.TextField()),
                    ("post", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="comments", to="blog.ormcascadepost")),
                    ("author_id", models.IntegerField())],
            options={"db_table": "comments", **UNMANAGED}),
    ]
