"""The per-community visitor settings as managers edit them in the admin."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.estates.viewsets import ScopedModelForm

from .models import VisitorSetting


class VisitorSettingForm(ScopedModelForm):
    class Meta:
        model = VisitorSetting
        fields = ["community", "allow_single_entry", "allow_multi_entry", "max_window_hours",
                  "max_days_ahead", "walk_ins_need_confirmation", "retention_days"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("allow_single_entry") and not cleaned.get("allow_multi_entry"):
            raise ValidationError(_("Allow at least one kind of pass, or owners cannot "
                                    "invite anyone."), code="no_kind")
        return cleaned
