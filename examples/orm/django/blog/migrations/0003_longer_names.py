"""max_length 20 -> 100. On SQLite, Django's AlterField rebuilds the table
from the model: CREATE TABLE new__x, INSERT ... SELECT of the model's
columns, DROP TABLE x, ALTER TABLE new__x RENAME TO x, then the model's
indexes. Columns the model does not know are lost."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_tags_labels")]

    operations = [
        migrations.AlterField(model_name="tagdata", name="name",
                              field=models.CharField(max_length=100)),
        migrations.AlterField(model_name="labeldata", name="name",
                              field=models.CharField(max_length=100)),
    ]
