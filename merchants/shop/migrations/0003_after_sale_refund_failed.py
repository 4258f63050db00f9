from django.db import migrations, models


class Migration(migrations.Migration):
    """An approved after-sale request whose refund WeChat Pay refused waits, marked
    refund_failed with the reason, for staff to retry it; it is still the order's open
    request."""

    dependencies = [
        ("shop", "0002_roles"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="aftersale",
            name="shop_one_open_after_sale_per_order",
        ),
        migrations.AddField(
            model_name="aftersale",
            name="failure",
            field=models.CharField(blank=True, max_length=200,
                                   verbose_name="why the refund failed"),
        ),
        migrations.AlterField(
            model_name="aftersale",
            name="state",
            field=models.CharField(
                choices=[("requested", "Requested"), ("approved", "Approved, refunding"),
                         ("refund_failed", "Refund failed, to be retried"),
                         ("refunded", "Refunded"), ("rejected", "Rejected")],
                default="requested", max_length=16, verbose_name="state"),
        ),
        migrations.AddConstraint(
            model_name="aftersale",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["requested", "approved", "refund_failed"])),
                fields=("order",), name="shop_one_open_after_sale_per_order"),
        ),
    ]
