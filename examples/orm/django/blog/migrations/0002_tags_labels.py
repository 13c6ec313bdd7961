"""Two tables whose base is managed by Django (CreateModel creates it), each
wrapped by a softdelete virtual table. TagData's model lacks the marker
columns (softdelete adds them at COMMIT); LabelData's declares them, with the
indexes over live rows. 0003 then rebuilds both."""
from django.db import migrations, models
from django.db.models import Q

UNMANAGED = {"managed": False}


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="TagData",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=20))],
            options={"db_table": "tags_data"}),
        migrations.CreateModel(
            name="LabelData",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=20)),
                    ("deleted_at", models.TextField(editable=False, null=True)),
                    ("deleted_at_op", models.BigIntegerField(editable=False, null=True))],
            options={
                "db_table": "labels_data",
                "constraints": [models.UniqueConstraint(
                    condition=Q(deleted_at__isnull=True), fields=("name",),
                    name="labels_data_name_live_unique")],
                "indexes": [models.Index(
                    condition=Q(deleted_at_op__isnull=False),
                    fields=["deleted_at_op", "deleted_at"],
                    name="sd_labels_data_deleted_at_op")],
            }),
        migrations.RunSQL(
            ["CREATE VIRTUAL TABLE tags USING softdelete(tags_data)",
             "CREATE VIRTUAL TABLE labels USING softdelete(labels_data)",
             "CREATE VIRTUAL TABLE labels_trash USING softdelete(labels_data, show=deleted)"],
            reverse_sql=["DROP TABLE labels_trash", "DROP TABLE labels", "DROP TABLE tags"]),
        migrations.CreateModel(
            name="Tag",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=100))],
            options={"db_table": "tags", **UNMANAGED}),
        migrations.CreateModel(
            name="Label",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=100))],
            options={"db_table": "labels", **UNMANAGED}),
        migrations.CreateModel(
            name="LabelTrash",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=100)),
                    ("deleted_at", models.TextField(null=True)),
                    ("deleted_at_op", models.BigIntegerField(null=True))],
            options={"db_table": "labels_trash", **UNMANAGED}),
    ]
