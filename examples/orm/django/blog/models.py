"""Models over softdelete virtual tables.

users, posts, comments: the live tables (managed = False: the migration
creates them with RunSQL, Django never alters or rebuilds them).
*_trash: the deleted rows, read-only models; restore with
    PostTrash.objects.filter(...).update(deleted_at=None)
and purge with
    PostTrash.objects.filter(...).delete()
Foreign keys use on_delete=DO_NOTHING: the database cascades along the keys
declared on the base tables (ON DELETE CASCADE), in one operation, so that
restoring a parent brings its children back.
"""
from django.db import models
from django.db.models import Q


class ReadOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is read-only: restore with "
                        ".filter(...).update(deleted_at=None)")

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is read-only: purge with "
                        ".filter(...).delete()")


class User(models.Model):
    email = models.TextField()
    name = models.TextField()

    class Meta:
        managed = False
        db_table = "users"


class Post(models.Model):
    title = models.TextField()
    author = models.ForeignKey(User, models.DO_NOTHING, related_name="posts")

    class Meta:
        managed = False
        db_table = "posts"


class Comment(models.Model):
    body = models.TextField()
    post = models.ForeignKey(Post, models.DO_NOTHING, related_name="comments")
    author = models.ForeignKey(User, models.DO_NOTHING, related_name="comments")

    class Meta:
        managed = False
        db_table = "comments"


class UserTrash(ReadOnlyModel):
    email = models.TextField()
    name = models.TextField()
    deleted_at = models.TextField(null=True)
    deleted_at_op = models.BigIntegerField(null=True)

    class Meta:
        managed = False
        db_table = "users_trash"


class PostTrash(ReadOnlyModel):
    title = models.TextField()
    author_id = models.IntegerField()
    deleted_at = models.TextField(null=True)
    deleted_at_op = models.BigIntegerField(null=True)

    class Meta:
        managed = False
        db_table = "posts_trash"


class CommentTrash(ReadOnlyModel):
    body = models.TextField()
    post_id = models.IntegerField()
    author_id = models.IntegerField()
    deleted_at = models.TextField(null=True)
    deleted_at_op = models.BigIntegerField(null=True)

    class Meta:
        managed = False
        db_table = "comments_trash"


# The trap: the same tables with Django's on_delete=CASCADE. Django's
# collector deletes the comments in a statement of their own before the
# post: two soft-delete operations, so restoring the post does not bring
# its comments back.
class OrmCascadePost(models.Model):
    title = models.TextField()
    author_id = models.IntegerField()

    class Meta:
        managed = False
        db_table = "posts"


class OrmCascadeComment(models.Model):
    body = models.TextField()
    post = models.ForeignKey(OrmCascadePost, models.CASCADE, related_name="comments")
    author_id = models.IntegerField()

    class Meta:
        managed = False
        db_table = "comments"


# Table rebuilds. tags_data and labels_data are managed by Django: an
# AlterField on SQLite rebuilds the table from the model (new table, copy
# of the columns the model knows, drop, rename).
class TagData(models.Model):
    """The trap: the model does not know deleted_at and deleted_at_op."""
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "tags_data"


class Tag(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        managed = False
        db_table = "tags"


class LabelData(models.Model):
    """The fix: the model declares the marker, its operation column and
    the indexes over live rows, so a rebuild keeps them."""
    name = models.CharField(max_length=100)
    deleted_at = models.TextField(null=True, editable=False)
    deleted_at_op = models.BigIntegerField(null=True, editable=False)

    class Meta:
        db_table = "labels_data"
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(deleted_at__isnull=True),
                                    name="labels_data_name_live_unique"),
        ]
        indexes = [
            # the operation index softdelete would create (docs/schema.md: The operation index)
            models.Index(fields=["deleted_at_op", "deleted_at"],
                         condition=Q(deleted_at_op__isnull=False),
                         name="sd_labels_data_deleted_at_op"),
        ]


class Label(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        managed = False
        db_table = "labels"


class LabelTrash(ReadOnlyModel):
    name = models.CharField(max_length=100)
    deleted_at = models.TextField(null=True)
    deleted_at_op = models.BigIntegerField(null=True)

    class Meta:
        managed = False
        db_table = "labels_trash"
