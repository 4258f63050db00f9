from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete
from django.utils.translation import gettext_lazy as _


def revoke_passes_of_ended_occupancy(sender, instance, created=False, raw=False,
                                     update_fields=None, **kwargs):
    """An occupant who moves out can no longer let visitors in: their passes still to come
    are revoked in the transaction that ends the occupancy."""
    if raw or created or instance.state != instance.State.ENDED:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    from .models import VisitorPass

    VisitorPass.revoke_for_ended_occupancy(instance)


def revoke_passes_of_deleted_occupancy(sender, instance, **kwargs):
    """A binding removed outright (or with its resident) revokes them too."""
    from .models import VisitorPass

    VisitorPass.revoke_for_ended_occupancy(instance)


class VisitorsConfig(AppConfig):
    name = "services.visitors"
    label = "visitors"
    verbose_name = _("Visitors")

    def ready(self):
        from home import quick_links

        quick_links.register_view("visitors", "visitors:list")
        post_save.connect(revoke_passes_of_ended_occupancy, sender="estates.Occupancy",
                          dispatch_uid="visitors_revoke_on_occupancy_end")
        pre_delete.connect(revoke_passes_of_deleted_occupancy, sender="estates.Occupancy",
                           dispatch_uid="visitors_revoke_on_occupancy_delete")
