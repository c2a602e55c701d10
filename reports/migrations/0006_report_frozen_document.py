from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_event_no_truncate")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="frozen_document",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="审核通过时的报告数据"),
        ),
    ]
