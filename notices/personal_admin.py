"""Personal notices in the admin: the staff choose houses, units or buildings of a
community they serve and write a short message; the residents living there are told
through the notification service. The records are listed through visible_to(user)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.models import Building, Community, House, Unit
from portal.estates.viewsets import scoped

from .admin_views import PER_PAGE, ScopedObjectMixin, StaffOnlyMixin
from .models import PersonalNotice, residents_living_in


class PersonalNoticeForm(forms.Form):
    community = forms.ModelChoiceField(Community.objects.all(), label=_("Community"))
    buildings = forms.ModelMultipleChoiceField(
        Building.objects.all(), label=_("Buildings"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}))
    units = forms.ModelMultipleChoiceField(
        Unit.objects.select_related("building"), label=_("Units"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}))
    houses = forms.ModelMultipleChoiceField(
        House.objects.select_related("unit__building"), label=_("Houses"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))
    subject = forms.CharField(label=_("Subject"), max_length=20,
                              help_text=_("Short: WeChat shows at most 20 characters."))
    text = forms.CharField(label=_("Message"), max_length=500, widget=forms.Textarea)
    form_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"form_key": str(uuid.uuid4())})
        super().__init__(*args, **kwargs)
        for name in ("community", "buildings", "units", "houses"):
            self.fields[name].queryset = scoped(self.fields[name].queryset, user)
        self.fields["houses"].label_from_instance = lambda house: house.label

    def clean(self):
        cleaned_data = super().clean()
        community = cleaned_data.get("community")
        chosen = {name: cleaned_data.get(name) or [] for name in ("buildings", "units", "houses")}
        if not any(chosen.values()):
            raise ValidationError(_("Choose at least one building, unit or house."))
        if community is not None:
            for name, places in chosen.items():
                if any(place.community_id != community.pk for place in places):
                    self.add_error(name, _("Choose only places in the community chosen."))
        return cleaned_data

    def residents(self):
        return residents_living_in(**{name: self.cleaned_data[name]
                                      for name in ("buildings", "units", "houses")})


class PersonalNoticeListView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Personal notices")
    header_icon = "mail"
    template_name = "notices/admin/personal_index.html"

    def get_context_data(self, **kwargs):
        notices = (PersonalNotice.objects.visible_to(self.request.user)
                   .select_related("community", "sent_by"))
        page = Paginator(notices, PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(notices=page, **kwargs)


class SendPersonalNoticeView(StaffOnlyMixin, WagtailAdminTemplateMixin, FormView):
    page_title = _("Send a personal notice")
    header_icon = "mail"
    template_name = "notices/admin/personal_send.html"
    form_class = PersonalNoticeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse("notices_personal:index"), "label": _("Personal notices")},
                {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            notice, new = PersonalNotice.send(
                data["community"], form.residents(), subject=data["subject"],
                text=data["text"], by=self.request.user, form_key=data["form_key"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if new:
            messages.success(self.request, _("Sent to %(count)s residents.")
                             % {"count": notice.recipient_count})
        return redirect("notices_personal:detail", pk=notice.pk)


class PersonalNoticeDetailView(ScopedObjectMixin, TemplateView):
    header_icon = "mail"
    template_name = "notices/admin/personal_detail.html"
    model = PersonalNotice
    index_url_name = "notices_personal:index"
    index_label = _("Personal notices")

    def get_page_title(self):
        return self.object.subject

    def get_context_data(self, **kwargs):
        recipients = self.object.recipients.select_related("user").order_by("name", "pk")
        page = Paginator(recipients, PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(notice=self.object, recipients=page, **kwargs)
