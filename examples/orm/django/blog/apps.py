from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created

loaded_into = []          # one entry per database connection Django opened


def load_softdelete(sender, connection, **kwargs):
    """Runs for every connection Django opens: each thread has its own, and
    a connection closed by CONN_MAX_AGE or close_old_connections() is
    opened again later. Without the extension a connection fails with
    'no such module: softdelete'."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection          # the sqlite3.Connection
    raw.enable_load_extension(True)
    raw.load_extension(settings.SOFTDELETE_LIB)
    raw.enable_load_extension(False)
    # Django 4.0 and later insert with RETURNING on SQLite >= 3.35; through a
    # virtual table RETURNING reports NULL for the id SQLite assigns, and
    # save() would leave obj.pk None. Without RETURNING Django reads
    # cursor.lastrowid (last_insert_rowid(), which is right). Django 3.2
    # never uses RETURNING on SQLite: there this changes nothing.
    connection.features.can_return_columns_from_insert = False
    loaded_into.append(id(raw))


class BlogConfig(AppConfig):
    name = "blog"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        connection_created.connect(load_softdelete, dispatch_uid="softdelete")
