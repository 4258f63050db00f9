from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0008_ticket_event_once_per_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketattachment',
            name='duration',
            field=models.DurationField(blank=True, editable=False, null=True),
        ),
    ]
