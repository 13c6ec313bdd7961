"""softdelete with SQLAlchemy (1.4 and 2.x): models on the live virtual
tables, trash tables mapped as models, and the traps that lose data.

Run through run.sh, which sets SOFTDELETE_LIB and a temporary directory.
Every check() is an assertion; the first that fails ends the run with
exit status 1. On success, one line: "sqlalchemy: N passed, 0 failed".
"""
import os
import sys
import threading

import sqlalchemy as sa
from sqlalchemy import (DDL, Column, ForeignKey, Index, Integer, MetaData,
                        Table, Text, delete, event, func, select, text, update)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import (Session, declarative_base, relationship,
                            selectinload)

LIB = os.environ["SOFTDELETE_LIB"]
WORKDIR = sys.argv[1]
SA2 = int(sa.__version__.split(".")[0]) >= 2

passed = 0


def check(cond, what):
    global passed
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        print(f"sqlalchemy: {passed} passed, 1 failed")
        sys.exit(1)
    passed += 1


def error_of(fn):
    """The text of the database error fn() raises, or None."""
    try:
        fn()
    except DBAPIError as e:
        return str(e.orig)
    return None


# --------------------------------------------------------------------------
# 1. The engine: load the extension on EVERY connection the pool opens.
# --------------------------------------------------------------------------
engine = sa.create_engine(f"sqlite:///{WORKDIR}/blog.db", future=True)
loaded_into = []          # one entry per DBAPI connection opened


@event.listens_for(engine, "connect")
def on_connect(dbapi_conn, connection_record):
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(LIB)
    dbapi_conn.enable_load_extension(False)
    # pysqlite opens transactions only before INSERT/UPDATE/DELETE and runs
    # DDL in autocommit; hand transaction control to SQLAlchemy (the "begin"
    # listener below) so that a migration is one transaction, DDL included.
    dbapi_conn.isolation_level = None
    # Off by default in SQLite: with it on, NO ACTION keys refuse soft
    # deletes while live children exist, and live rows cannot point at
    # deleted parents (docs/behaviour.md: Live parents).
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    loaded_into.append(id(dbapi_conn))


@event.listens_for(engine, "begin")
def on_begin(conn):
    conn.exec_driver_sql("BEGIN")


# --------------------------------------------------------------------------
# 2. The base tables, created by SQLAlchemy DDL. The marker columns are
#    declared, so any rebuild from this metadata keeps them; foreign keys
#    are declared here, ON DELETE CASCADE, so that the database cascades.
#    The virtual tables are created by DDL events in the same transaction.
# --------------------------------------------------------------------------
base_md = MetaData()


def marker_columns():
    return [Column("deleted_at", Text), Column("deleted_at_op", Integer)]


users_data = Table(
    "users_data", base_md,
    Column("id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text),
    *marker_columns())
posts_data = Table(
    "posts_data", base_md,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("author_id", Integer,
           ForeignKey("users_data.id", ondelete="CASCADE"), nullable=False),
    Column("status", Text, nullable=False, server_default="draft"),
    *marker_columns())
comments_data = Table(
    "comments_data", base_md,
    Column("id", Integer, primary_key=True),
    Column("body", Text, nullable=False),
    Column("post_id", Integer,
           ForeignKey("posts_data.id", ondelete="CASCADE"), nullable=False),
    # no ON DELETE: NO ACTION, a refusal while foreign keys are on
    Column("author_id", Integer, ForeignKey("users_data.id"), nullable=False),
    *marker_columns())

for base, name in [(users_data, "users"), (posts_data, "posts"),
                   (comments_data, "comments")]:
    event.listen(base, "after_create", DDL(
        f"CREATE VIRTUAL TABLE {name} USING softdelete({base.name})"))
    event.listen(base, "after_create", DDL(
        f"CREATE VIRTUAL TABLE {name}_trash USING softdelete({base.name}, show=deleted)"))
# sd_unique in the same transaction as CREATE VIRTUAL TABLE, before any use.
event.listen(users_data, "after_create",
             DDL("SELECT sd_unique('users', 'email')"))
event.listen(posts_data, "after_create",
             DDL("SELECT sd_index('posts', 'author_id')"))
event.listen(comments_data, "after_create",
             DDL("SELECT sd_index('comments', 'post_id')"))

with engine.begin() as conn:
    base_md.create_all(conn)


def scalar(sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


check(scalar("SELECT count(*) FROM sqlite_master WHERE name IN "
             "('users', 'posts', 'comments', 'users_trash', 'posts_trash', "
             "'comments_trash') AND sql LIKE 'CREATE VIRTUAL TABLE%'") == 6,
      "the migration created the live and trash virtual tables")
check("WHERE \"deleted_at\" IS NULL" in scalar(
    "SELECT sql FROM sqlite_master WHERE name = 'users_data_email_live_unique'"),
    "sd_unique in the migration's transaction made a live-unique index")

# A migration is one transaction: one that fails leaves nothing behind,
# virtual table and sd_unique index included (pysqlite alone would have
# committed each CREATE at once).
tags_md = MetaData()
Table("tags_data", tags_md, Column("id", Integer, primary_key=True),
      Column("label", Text))
try:
    with engine.begin() as conn:
        tags_md.create_all(conn)
        conn.exec_driver_sql("CREATE VIRTUAL TABLE tags USING softdelete(tags_data)")
        conn.exec_driver_sql("SELECT sd_unique('tags', 'label')")
        raise RuntimeError("a later step of the migration fails")
except RuntimeError:
    pass
check(scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE 'tags%'") == 0,
      "a failed migration rolled back its tables, virtual table and index")


# --------------------------------------------------------------------------
# 3. The models: mapped onto the VIRTUAL tables, in a metadata that is never
#    create_all()'d (create_all would make ordinary tables of those names).
# --------------------------------------------------------------------------
Base = declarative_base()

# INSERT ... RETURNING through a virtual table reports NULL for the
# INTEGER PRIMARY KEY SQLite assigns and for columns the base fills with
# their DEFAULT. SQLAlchemy 2 uses RETURNING on SQLite >= 3.35 to fetch
# primary keys when it flushes several rows at once (insertmanyvalues:
# "has a NULL identity key") and server defaults always. implicit_returning
# =False makes it insert row by row and read cursor.lastrowid
# (last_insert_rowid(), which is right), and expire server defaults.
VT = {"implicit_returning": False}


class User(Base):
    __tablename__ = "users"
    __table_args__ = VT
    id = Column(Integer, primary_key=True)
    email = Column(Text, nullable=False)
    name = Column(Text)
    # passive_deletes="all": the ORM neither deletes nor nulls out children
    # on session.delete(user), loaded or not; the database cascades.
    posts = relationship("Post", back_populates="author",
                         passive_deletes="all", order_by="Post.id")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = VT
    id = Column(Integer, primary_key=True)
    title = Column(Text, nullable=False)
    author_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    status = Column(Text, server_default=sa.FetchedValue())
    author = relationship("User", back_populates="posts")
    comments = relationship("Comment", back_populates="post",
                            passive_deletes="all", order_by="Comment.id")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = VT
    id = Column(Integer, primary_key=True)
    body = Column(Text, nullable=False)
    post_id = Column(Integer, ForeignKey("posts.id"), nullable=False)
    author_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    post = relationship("Post", back_populates="comments")


class TrashMixin:
    """Deleted rows: read them; restore with an UPDATE setting deleted_at
    to NULL, purge with a DELETE (bulk statements, below). Instances are
    read-only: the before_flush hook refuses to flush them."""
    deleted_at = Column(Text)
    deleted_at_op = Column(Integer)


class UserTrash(TrashMixin, Base):
    __tablename__ = "users_trash"
    id = Column(Integer, primary_key=True)
    email = Column(Text)
    name = Column(Text)


class PostTrash(TrashMixin, Base):
    __tablename__ = "posts_trash"
    id = Column(Integer, primary_key=True)
    title = Column(Text)
    author_id = Column(Integer)
    status = Column(Text)


class CommentTrash(TrashMixin, Base):
    __tablename__ = "comments_trash"
    id = Column(Integer, primary_key=True)
    body = Column(Text)
    post_id = Column(Integer)
    author_id = Column(Integer)


@event.listens_for(Session, "before_flush")
def trash_is_read_only(session, flush_context, instances):
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, TrashMixin):
            raise TypeError(f"{type(obj).__name__} is read-only: restore with "
                            "update(...).values(deleted_at=None), purge with delete(...)")


def restore(session, trash_cls, *where):
    # synchronize_session=False: SQLAlchemy 2's "fetch" strategy would add
    # RETURNING, which SQLite refuses on virtual tables for UPDATE/DELETE.
    return session.execute(
        update(trash_cls).where(*where).values(deleted_at=None)
        .execution_options(synchronize_session=False)).rowcount


def purge(session, trash_cls, *where):
    return session.execute(
        delete(trash_cls).where(*where)
        .execution_options(synchronize_session=False)).rowcount


def count(session, cls, *where):
    return session.execute(select(func.count()).select_from(cls).where(*where)).scalar()


def op_of(session, trash_cls, row_id):
    return session.execute(select(trash_cls.deleted_at_op)
                           .where(trash_cls.id == row_id)).scalar()


# --------------------------------------------------------------------------
# 4. CRUD, counts and relation loading through the live tables; the trash
#    read and restored through a mapped trash table.
# --------------------------------------------------------------------------
with Session(engine, future=True) as s:
    ada = User(email="ada@example.com", name="Ada")
    bob = User(email="bob@example.com", name="Bob")
    s.add_all([ada, bob])
    try:
        s.flush()      # two rows in one flush: insertmanyvalues on SA 2
        flush_error = None
    except sa.orm.exc.FlushError as e:
        flush_error = e
    check(flush_error is None and ada.id is not None and bob.id is not None
          and ada.id != bob.id,
          f"a flush of several objects got their ids (implicit_returning=False): {flush_error}")
    p1 = Post(title="Engines", author=ada)
    p2 = Post(title="Notes", author=ada)
    p3 = Post(title="Hello", author=bob)
    s.add_all([p1, p2, p3])
    s.flush()
    check(p1.status == "draft",
          "a server default is read back from the base (RETURNING would give NULL)")
    s.add_all([Comment(body="Nice", post=p1, author_id=bob.id),
               Comment(body="Thanks", post=p1, author_id=ada.id),
               Comment(body="Hi Bob", post=p3, author_id=ada.id)])
    s.commit()
    ADA, BOB, P1, P2, P3 = ada.id, bob.id, p1.id, p2.id, p3.id
    C1 = s.execute(select(Comment.id).where(Comment.body == "Nice")).scalar()

    # The RETURNING trap on the SQL level, whatever the SQLAlchemy version.
    returned = s.execute(text("INSERT INTO users(email, name) "
                              "VALUES ('tmp@example.com', 'Tmp') RETURNING id")).scalar()
    check(returned is None,
          "INSERT ... RETURNING id through a virtual table gives NULL "
          "(the reason for implicit_returning=False)")
    s.rollback()

    s.get(Post, P2).title = "Notes, revised"
    s.commit()
    check(s.execute(select(Post.title).where(Post.id == P2)).scalar() == "Notes, revised",
          "UPDATE through the live table")

    users = s.execute(select(User).options(
        selectinload(User.posts).selectinload(Post.comments))
        .order_by(User.id)).scalars().all()
    check([(u.name, [len(p.comments) for p in u.posts]) for u in users]
          == [("Ada", [2, 0]), ("Bob", [1])],
          "relation loading (selectinload) through the live tables")

    s.delete(s.get(Post, P2))
    s.commit()
    check(count(s, Post) == 2 and count(s, PostTrash) == 1,
          "session.delete() soft-deletes: gone from posts, listed in posts_trash")
    check(scalar("SELECT count(*) FROM posts_data") == 3,
          "the base table still holds the deleted row")
    per_user = s.execute(select(User.name, func.count(Post.id))
                         .outerjoin(Post, Post.author_id == User.id)
                         .group_by(User.id).order_by(User.id)).all()
    check([tuple(r) for r in per_user] == [("Ada", 1), ("Bob", 1)],
          "counts over a join see live rows only")
    check(s.get(User, ADA).posts[0].title == "Engines",
          "lazy loading a relation sees live rows only")

    gone = s.execute(select(PostTrash)).scalars().one()
    check(gone.id == P2 and gone.title == "Notes, revised"
          and gone.deleted_at is not None and gone.deleted_at_op is not None,
          "the trash model reads the deleted row, its marker and operation")
    gone.title = "edited"
    try:
        s.flush()
        refused = False
    except TypeError:
        refused = True
    s.rollback()
    check(refused, "a trash instance is read-only (the before_flush hook)")
    check(restore(s, PostTrash, PostTrash.id == P2) == 1,
          "update(PostTrash)...values(deleted_at=None) restores one row")
    s.commit()
    check(count(s, Post) == 3 and count(s, PostTrash) == 0, "the post is live again")

# --------------------------------------------------------------------------
# 5. Every connection has the extension: two at once, and another thread.
# --------------------------------------------------------------------------
with engine.connect() as c1, engine.connect() as c2:
    check(c1.connection.dbapi_connection is not c2.connection.dbapi_connection
          if SA2 else c1.connection.connection is not c2.connection.connection,
          "two connections checked out at once are distinct DBAPI connections")
    v1 = c1.execute(text("SELECT sd_version()")).scalar()
    v2 = c2.execute(text("SELECT sd_version()")).scalar()
    check(v1 and v1 == v2, "both connections have the extension")
seen = {}


def in_thread():
    with Session(engine, future=True) as ts:
        seen["posts"] = count(ts, Post)
        seen["thread"] = threading.get_ident()


t = threading.Thread(target=in_thread)
t.start()
t.join()
check(seen.get("posts") == 3 and seen["thread"] != threading.get_ident(),
      "a session in another thread reads through the virtual tables")
check(len(loaded_into) >= 2, "the connect hook loaded the extension into each new connection")

# --------------------------------------------------------------------------
# 6. Trap: ORM-side cascades. cascade="all, delete" makes the ORM delete the
#    children in statements of their own, each its own soft-delete
#    operation, so an exact restore of the parent brings back the parent
#    alone. passive_deletes=True does not prevent it once the children are
#    loaded (the ORM still deletes loaded children itself). The fix used by
#    the models above: no delete cascade and passive_deletes="all", so the
#    ORM emits one DELETE for the parent and the database cascades along
#    the ON DELETE CASCADE keys of the base tables.
# --------------------------------------------------------------------------


class OrmCascadePost(Base):            # the trap: the same table, mapped badly
    __table__ = Post.__table__
    comments = relationship("OrmCascadeComment", cascade="all, delete",
                            passive_deletes=True, overlaps="comments,post")


class OrmCascadeComment(Base):
    __table__ = Comment.__table__


with Session(engine, future=True) as s:
    bad = s.get(OrmCascadePost, P1)
    check(len(bad.comments) == 2, "trap setup: the post's two comments are loaded")
    s.delete(bad)
    s.commit()
    post_op = op_of(s, PostTrash, P1)
    comment_ops = set(s.execute(select(CommentTrash.deleted_at_op)).scalars())
    check(len(comment_ops) == 2 and post_op not in comment_ops,
          "trap: the ORM deleted each loaded comment in an operation of its own")
    restore(s, PostTrash, PostTrash.id == P1)
    s.commit()
    check(count(s, Comment, Comment.post_id == P1) == 0,
          "trap: restoring the post brought back the post alone")
    restore(s, CommentTrash, CommentTrash.post_id == P1)      # repair by hand
    s.commit()

    good = s.get(Post, P1)
    check(len(good.comments) == 2, "fix setup: the post's two comments are loaded")
    s.delete(good)
    s.commit()
    post_op = op_of(s, PostTrash, P1)
    check(count(s, Comment, Comment.post_id == P1) == 0
          and count(s, CommentTrash, CommentTrash.deleted_at_op == post_op) == 2,
          "fix: one DELETE; the database cascaded to the comments, same operation")
    restore(s, PostTrash, PostTrash.id == P1)
    s.commit()
    check(count(s, Comment, Comment.post_id == P1) == 2,
          "fix: restoring the post brought its comments back")

# --------------------------------------------------------------------------
# 7. Foreign keys on (set in the connect hook): a NO ACTION key refuses the
#    soft delete of a parent with live children outside the cascade, and a
#    live row cannot point at a deleted parent.
# --------------------------------------------------------------------------
with Session(engine, future=True) as s:
    def delete_bob():
        s.delete(s.get(User, BOB))
        s.flush()
    err = error_of(delete_bob)
    s.rollback()
    check(err and "live rows of comments still reference it" in err,
          "NO ACTION (comments.author_id) refuses deleting Bob while his comment on Ada's post is live")
    s.delete(s.get(Comment, C1))         # his comment first: an operation of its own
    s.commit()
    s.delete(s.get(User, BOB))           # then Bob: his post and its comment cascade
    s.commit()
    check(count(s, User) == 1 and count(s, Post) == 2 and count(s, Comment) == 1,
          "deleting Bob cascaded to his post and the comment on it")

    def comment_on_bobs_post():
        s.add(Comment(body="late", post_id=P3, author_id=ADA))
        s.flush()
    err = error_of(comment_on_bobs_post)
    s.rollback()
    check(err and "which is deleted; restore it first" in err,
          "live-parent check: no new comment on a deleted post")

    check(restore(s, UserTrash, UserTrash.id == BOB) == 1, "restore Bob")
    s.commit()
    check(count(s, Post) == 3 and count(s, Comment) == 2
          and count(s, Comment, Comment.id == C1) == 0,
          "exact restore: Bob's post and its comment are back, his own deleted comment is not")

# --------------------------------------------------------------------------
# 8. No UPSERT on a virtual table: write it against the base, naming the
#    live-unique index's WHERE. Purge through the trash table.
# --------------------------------------------------------------------------
with Session(engine, future=True) as s:
    err = error_of(lambda: s.execute(
        sqlite_insert(User.__table__).values(email="ada@example.com", name="Ada L.")
        .on_conflict_do_update(index_elements=["email"], set_={"name": "Ada L."})))
    s.rollback()
    check(err and "UPSERT not implemented for virtual table" in err,
          "UPSERT on the virtual table is refused by SQLite")
    s.execute(sqlite_insert(users_data).values(email="ada@example.com", name="Ada L.")
              .on_conflict_do_update(index_elements=["email"],
                                     index_where=text("deleted_at IS NULL"),
                                     set_={"name": "Ada L."}))
    s.commit()
    check(s.get(User, ADA).name == "Ada L." and count(s, User) == 2,
          "UPSERT on the base, against the live-unique index")

    # Bulk UPDATE/DELETE whose WHERE the ORM cannot evaluate in Python get
    # synchronize_session="fetch" on SA 2, which adds RETURNING: refused on
    # a virtual table. restore() and purge() pass synchronize_session=False.
    stale = select(CommentTrash.id).where(CommentTrash.body == "Nice")
    try:
        s.execute(delete(CommentTrash).where(CommentTrash.id.in_(stale)))
        err = None
    except sa.exc.SQLAlchemyError as e:
        err = str(e)
    s.rollback()
    check(err and ("DELETE RETURNING is not available on virtual tables" in err
                   if SA2 else "synchronize_session" in err),
          "a bulk delete with the default synchronize_session fails on the trash table")
    check(purge(s, CommentTrash, CommentTrash.id.in_(stale)) == 1,
          "delete(CommentTrash) with synchronize_session=False purges the deleted comment")
    s.commit()
    check(scalar("SELECT count(*) FROM comments_data WHERE id = :i", i=C1) == 0,
          "the purged row is gone from the base")

# --------------------------------------------------------------------------
# 9. Trap: a table rebuild. To change a column, migration tools on SQLite
#    create the table anew, copy the columns they know, drop the old table
#    and rename (Alembic's batch mode, Django's AlterField). Rebuilt from a
#    definition that lacks deleted_at and deleted_at_op, the table loses them:
#    the virtual table then refuses every read (it never resurrects deleted
#    rows). Declare them, and the indexes over live rows, in the model.
# --------------------------------------------------------------------------
rebuild_md = MetaData()
tags_data = Table(                       # the model lacks the marker
    "tags_data", rebuild_md,
    Column("id", Integer, primary_key=True), Column("label", Text))
labels_data = Table(                     # the model declares it, and indexes
    "labels_data", rebuild_md,
    Column("id", Integer, primary_key=True), Column("label", Text),
    *marker_columns(),
    Index("labels_data_label_live_unique", "label", unique=True,
          sqlite_where=text("deleted_at IS NULL")),
    Index("sd_labels_data_deleted_at_op", "deleted_at_op", "deleted_at",
          sqlite_where=text("deleted_at_op IS NOT NULL")))

with engine.begin() as conn:
    rebuild_md.create_all(conn)
    for name in ("tags", "labels"):
        conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {name} USING softdelete({name}_data)")
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {name}_trash USING softdelete({name}_data, show=deleted)")
    for name in ("tags", "labels"):
        conn.exec_driver_sql(f"INSERT INTO {name}(label) VALUES ('red'), ('green'), ('blue')")
        conn.exec_driver_sql(f"DELETE FROM {name} WHERE label = 'green'")
check(scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
             "AND tbl_name = 'labels_data'") == 2,
      "the declared partial index on deleted_at_op serves as the operation index")


def rebuild(conn, table):
    """What a migration tool does on SQLite to alter a column."""
    new = Table("new__" + table.name, MetaData(),
                *[Column(c.name, c.type, primary_key=c.primary_key)
                  for c in table.columns])
    new.create(conn)
    cols = ", ".join(c.name for c in table.columns)
    conn.exec_driver_sql(f"INSERT INTO {new.name} ({cols}) SELECT {cols} FROM {table.name}")
    conn.exec_driver_sql(f"DROP TABLE {table.name}")
    conn.exec_driver_sql(f"ALTER TABLE {new.name} RENAME TO {table.name}")
    for index in table.indexes:
        index.create(conn)


with engine.begin() as conn:
    rebuild(conn, tags_data)
    rebuild(conn, labels_data)

err = error_of(lambda: scalar("SELECT count(*) FROM tags"))
check(err and "has lost its columns deleted_at and deleted_at_op" in err,
      "trap: after a rebuild without the marker, tags refuses reads")
check(scalar("SELECT count(*) FROM tags_data") == 3,
      "trap: the deleted tag is in the base, unmarked: the refusal keeps it from showing")
check(scalar("SELECT group_concat(label) FROM (SELECT label FROM labels ORDER BY id)") == "red,blue",
      "fix: labels, rebuilt from a model with the marker, still hides the deleted row")
check(scalar("SELECT count(*) FROM sqlite_master WHERE name IN "
             "('labels_data_label_live_unique', 'sd_labels_data_deleted_at_op')") == 2,
      "fix: the declared indexes over live rows came back with the rebuild")
with engine.begin() as conn:
    conn.exec_driver_sql("UPDATE labels_trash SET deleted_at = NULL WHERE label = 'green'")
check(scalar("SELECT count(*) FROM labels") == 3, "fix: the trash still restores after the rebuild")
err = error_of(lambda: scalar("INSERT INTO labels(label) VALUES ('red') RETURNING 1"))
check(err and "UNIQUE constraint failed" in err, "fix: the label stays unique among live rows")

print(f"sqlalchemy: {passed} passed, 0 failed")
