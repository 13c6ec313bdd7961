"""softdelete with Django: models on the live virtual tables, trash tables
mapped as read-only models, and the traps that lose data.

Run through run.sh, which sets SOFTDELETE_LIB and a temporary directory.
Every check() is an assertion; the first that fails ends the run with
exit status 1. On success, one line: "django: N passed, 0 failed".
"""
import os
import sqlite3
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
WORKDIR = sys.argv[1]
DB = os.path.join(WORKDIR, "blog.db")

import django                                    # noqa: E402
from django.conf import settings                 # noqa: E402

settings.configure(
    INSTALLED_APPS=["blog"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=False,
    SOFTDELETE_LIB=os.environ["SOFTDELETE_LIB"],  # read by blog/apps.py
)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import Count, Prefetch      # noqa: E402

import blog                                       # noqa: E402
from blog.apps import loaded_into                 # noqa: E402
from blog.models import (Comment, CommentTrash, Label, LabelTrash,  # noqa: E402
                         OrmCascadePost, Post, PostTrash,
                         Tag, User, UserTrash)

passed = 0


def check(cond, what):
    global passed
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        print(f"django: {passed} passed, 1 failed")
        sys.exit(1)
    passed += 1


def error_of(fn):
    """The text of the database error fn() raises, or None. Run in a
    savepoint-free atomic block so that a refused write leaves nothing."""
    try:
        with transaction.atomic():
            fn()
    except DatabaseError as e:
        return str(e)
    return None


def sql(query, *params):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


# --------------------------------------------------------------------------
# 1. Migrations: 0001 creates the base tables, the virtual tables and the
#    indexes over live rows in one transaction.
# --------------------------------------------------------------------------
call_command("migrate", "blog", "0002", verbosity=0)
check(("0001", True, True, 0) in blog.migration_log,
      "migration 0001 ran inside a transaction, with foreign keys off (Django's "
      "schema editor turns them off: a data migration's deletes skip the NO ACTION "
      "and live-parent checks)")
check('WHERE "deleted_at" IS NULL' in sql(
    "SELECT sql FROM sqlite_master WHERE name = 'users_data_email_live_unique'"),
    "sd_unique in the same transaction as CREATE VIRTUAL TABLE made a live-unique index")
check(sql("SELECT group_concat(name) FROM pragma_table_info('users_data')")
      == "id,email,name,deleted_at,deleted_at_op",
      "softdelete added the marker columns to the base inside the migration")
check(loaded_into, "connection_created loaded the extension into the first connection")
try:
    call_command("makemigrations", "blog", "--check", "--dry-run", verbosity=0)
    in_step = True
except SystemExit:
    in_step = False
check(in_step, "the migrations match the models (makemigrations --check)")

# --------------------------------------------------------------------------
# 2. CRUD, counts and relation loading through the live tables.
# --------------------------------------------------------------------------
ada = User.objects.create(email="ada@example.com", name="Ada")
bob = User.objects.create(email="bob@example.com", name="Bob")
check(ada.pk is not None and bob.pk == sql("SELECT id FROM users WHERE name = 'Bob'"),
      "create() set the id (no RETURNING, see blog/apps.py)")
p1 = Post.objects.create(title="Engines", author=ada)
p2 = Post.objects.create(title="Notes", author=ada)
p3 = Post.objects.create(title="Hello", author=bob)
c1 = Comment.objects.create(body="Nice", post=p1, author=bob)
Comment.objects.create(body="Thanks", post=p1, author=ada)
Comment.objects.create(body="Hi Bob", post=p3, author=ada)
# delete() sets an instance's pk to None: keep the ids
ADA, BOB, P1, P2, P3, C1 = ada.pk, bob.pk, p1.pk, p2.pk, p3.pk, c1.pk

check(sql("INSERT INTO users(email, name) VALUES ('tmp@example.com', 'Tmp') RETURNING id")
      is None, "INSERT ... RETURNING id through a virtual table gives NULL")
User.objects.filter(email="tmp@example.com").delete()
UserTrash.objects.filter(email="tmp@example.com").delete()

Post.objects.filter(pk=P2).update(title="Notes, revised")
p2.refresh_from_db()
check(p2.title == "Notes, revised", "update() through the live table")
p2.title = "Notes, final"
p2.save()
check(Post.objects.get(pk=P2).title == "Notes, final", "save() of a changed row")

users = list(User.objects.order_by("id").prefetch_related(
    Prefetch("posts", Post.objects.order_by("id")), "posts__comments"))
check([(u.name, [p.comments.count() for p in u.posts.all()]) for u in users]
      == [("Ada", [2, 0]), ("Bob", [1])],
      "prefetch_related through the live tables")
check([(p.title, p.author.name) for p in Post.objects.select_related("author").order_by("id")]
      == [("Engines", "Ada"), ("Notes, final", "Ada"), ("Hello", "Bob")],
      "select_related (a join of two virtual tables)")

p2.delete()
check(Post.objects.count() == 2 and PostTrash.objects.count() == 1,
      "delete() soft-deletes: gone from posts, listed in posts_trash")
check(sql("SELECT count(*) FROM posts_data") == 3, "the base table still holds the row")
check(list(User.objects.annotate(n=Count("posts")).order_by("id").values_list("name", "n"))
      == [("Ada", 1), ("Bob", 1)], "annotate(Count) over a join sees live rows only")
check(ada.posts.count() == 1, "a related manager counts live rows only")

# --------------------------------------------------------------------------
# 3. The trash: read through a read-only model, restore with update().
# --------------------------------------------------------------------------
gone = PostTrash.objects.get()
check(gone.pk == P2 and gone.title == "Notes, final" and gone.deleted_at
      and gone.deleted_at_op, "the trash model reads the deleted row, marker and operation")
try:
    gone.save()
    refused = False
except TypeError:
    refused = True
check(refused, "a trash instance is read-only")
check(PostTrash.objects.filter(pk=P2).update(deleted_at=None) == 1,
      "PostTrash.objects.filter(...).update(deleted_at=None) restores")
check(Post.objects.count() == 3 and not PostTrash.objects.exists(), "the post is live again")

# --------------------------------------------------------------------------
# 4. Every connection has the extension: Django opens one per thread.
# --------------------------------------------------------------------------
seen = {}


def in_thread():
    from django.db import connection as thread_connection
    try:
        seen["posts"] = Post.objects.count()
        seen["raw"] = id(thread_connection.connection)
        seen["version"] = sql("SELECT sd_version()")
    finally:
        thread_connection.close()


t = threading.Thread(target=in_thread)
t.start()
t.join()
check(seen.get("posts") == 3 and seen["raw"] != id(connection.connection)
      and seen["raw"] in loaded_into and seen["version"],
      "another thread's connection has the extension and reads through the virtual tables")

# --------------------------------------------------------------------------
# 5. Trap: on_delete=CASCADE. Django's collector deletes the comments in a
#    statement of their own, then the post: two soft-delete operations, so
#    the exact restore of the post brings back the post alone. Fix: the
#    models use on_delete=DO_NOTHING and the base tables declare ON DELETE
#    CASCADE: one DELETE, the database cascades in the same operation.
# --------------------------------------------------------------------------
OrmCascadePost.objects.get(pk=P1).delete()
post_op = PostTrash.objects.get(pk=P1).deleted_at_op
comment_ops = set(CommentTrash.objects.values_list("deleted_at_op", flat=True))
check(len(comment_ops) == 1 and post_op not in comment_ops,
      "trap: Django deleted the comments in an operation of their own")
PostTrash.objects.filter(pk=P1).update(deleted_at=None)
check(Comment.objects.filter(post_id=P1).count() == 0,
      "trap: restoring the post brought back the post alone")
CommentTrash.objects.filter(post_id=P1).update(deleted_at=None)   # repair by hand

Post.objects.get(pk=P1).delete()
post_op = PostTrash.objects.get(pk=P1).deleted_at_op
check(Comment.objects.filter(post_id=P1).count() == 0
      and CommentTrash.objects.filter(deleted_at_op=post_op).count() == 2,
      "fix: one DELETE; the database cascaded to the comments, same operation")
PostTrash.objects.filter(pk=P1).update(deleted_at=None)
check(Comment.objects.filter(post_id=P1).count() == 2,
      "fix: restoring the post brought its comments back")

# --------------------------------------------------------------------------
# 6. Trap: Django turns PRAGMA foreign_keys ON for every connection. Then
#    NO ACTION keys (no ON DELETE clause) refuse a soft delete while live
#    rows outside the cascade reference the row, and a live row may not
#    reference a deleted one (live-parent check). With foreign keys off (the
#    sqlite3 module's default) both pass silently.
# --------------------------------------------------------------------------
check(sql("PRAGMA foreign_keys") == 1, "Django's connection has foreign keys on")
err = error_of(lambda: User.objects.get(pk=BOB).delete())
check(err and "live rows of comments still reference it" in err,
      "NO ACTION (comments.author_id) refuses deleting Bob while his comment on Ada's post is live")

raw = sqlite3.connect(DB, isolation_level=None)
raw.enable_load_extension(True)
raw.load_extension(settings.SOFTDELETE_LIB)
raw.execute("BEGIN")
raw.execute("DELETE FROM users WHERE id = ?", (BOB,))
check(raw.execute("SELECT count(*) FROM comments WHERE id = ?", (C1,)).fetchone()[0] == 1,
      "with foreign keys off the same delete passes and leaves a live comment by a deleted user")
raw.execute("ROLLBACK")
raw.close()

c1.delete()                                 # his comment first: an operation of its own
User.objects.get(pk=BOB).delete()        # then Bob, his post and its comment
check((User.objects.count(), Post.objects.count(), Comment.objects.count()) == (1, 2, 1),
      "deleting Bob cascaded to his post and the comment on it")
err = error_of(lambda: Comment.objects.create(body="late", post_id=P3, author=ada))
check(err and "which is deleted; restore it first" in err,
      "live-parent check: no new comment on a deleted post")
check(UserTrash.objects.filter(pk=BOB).update(deleted_at=None) == 1, "restore Bob")
check((Post.objects.count(), Comment.objects.count()) == (3, 2)
      and not Comment.objects.filter(pk=C1).exists(),
      "exact restore: Bob's post and its comment are back, his own deleted comment is not")
check(CommentTrash.objects.filter(pk=C1).delete()[0] == 1,
      "CommentTrash.objects.filter(...).delete() purges")
check(sql("SELECT count(*) FROM comments_data WHERE id = %s", C1) == 0,
      "the purged row is gone from the base")

# --------------------------------------------------------------------------
# 7. Trap: a table rebuild. 0003 changes a column of two managed base
#    tables; Django rebuilds them from their models. tags_data's model
#    lacks deleted_at and deleted_at_op: the rebuild drops them and the
#    virtual table refuses every read (softdelete never resurrects deleted
#    rows). labels_data's model declares them and the indexes over live
#    rows: they survive.
# --------------------------------------------------------------------------
for model in (Tag, Label):
    for name in ("red", "green", "blue"):
        model.objects.create(name=name)
    model.objects.filter(name="green").delete()
check(Tag.objects.count() == 2 and Label.objects.count() == 2, "tags and labels before 0003")
check(sql("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'labels_data'")
      == 2, "the model's partial index on deleted_at_op serves as the operation index")

call_command("migrate", "blog", verbosity=0)
check(sql("SELECT count(*) FROM sqlite_master WHERE name = 'new__tags_data'") == 0
      and "varchar(100)" in sql("SELECT sql FROM sqlite_master WHERE name = 'tags_data'"),
      "0003 rebuilt tags_data")
err = error_of(lambda: Tag.objects.count())
check(err and "has lost its columns deleted_at and deleted_at_op" in err,
      "trap: after the rebuild, tags refuses reads with the softdelete error")
check(sql("SELECT count(*) FROM tags_data") == 3,
      "trap: the deleted tag is in the base, unmarked; the refusal keeps it from showing")
check(list(Label.objects.order_by("id").values_list("name", flat=True)) == ["red", "blue"],
      "fix: labels, rebuilt from a model with the marker, still hides the deleted row")
check(sql("SELECT count(*) FROM sqlite_master WHERE name IN "
          "('labels_data_name_live_unique', 'sd_labels_data_deleted_at_op')") == 2,
      "fix: the model's indexes over live rows came back with the rebuild")
check(LabelTrash.objects.filter(name="green").update(deleted_at=None) == 1
      and Label.objects.count() == 3, "fix: the trash still restores after the rebuild")
err = error_of(lambda: Label.objects.create(name="red"))
check(err and "UNIQUE constraint failed" in err, "fix: names stay unique among live labels")

print(f"django: {passed} passed, 0 failed")
