"""The pages residents reach the service desk through, under their community's home page.

HomePage (one per community)
├── RepairPage (故障报修 and 预约维修: the repair form)
├── PhoneRepairPage (电话报修: the numbers to call)
└── ComplaintPage (投诉建议: the complaint or suggestion form)

The forms are served by the pages themselves (serve() handles GET and POST), so editors
place and title them like any other page; what a submission does is in
services.tickets.owner_submission.
"""

from django.db import models
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from notices.blocks import ContactNumberBlock
from notices.models import CommunityPage

from .tickets.forms import ComplaintForm, RepairForm
from .tickets.owner_submission import submit_from_form


class ServiceFormPage(CommunityPage):
    """A page whose body is a ticket form for the residents of its community."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    subpage_types = []
    max_count_per_parent = 1

    form_class = None

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not self.is_visible_to(request.user):
            from notices.targeting import refuse

            return refuse(request, self)
        resident = getattr(request.user, "resident", None)
        if resident is None or resident.community_id != self.community_id:
            # Staff of the community may look at the page; only its residents file.
            return render(request, self.get_template(request), {
                **self.get_context(request), "form": None})
        if request.method == "POST":
            form = self.form_class(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                ticket = submit_from_form(form, request.user)
                if ticket is not None:
                    return redirect(ticket.owner_url)
        else:
            form = self.form_class(user=request.user)
        return render(request, self.get_template(request),
                      {**self.get_context(request), "form": form})


class RepairPage(ServiceFormPage):
    form_class = RepairForm

    class Meta:
        verbose_name = _("repair page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["phone_repair_page"] = (PhoneRepairPage.objects.live()
                                        .sibling_of(self).first())
        return context


class ComplaintPage(ServiceFormPage):
    form_class = ComplaintForm

    class Meta:
        verbose_name = _("complaint and suggestion page")


class PhoneRepairPage(CommunityPage):
    """The community's repair numbers as tel: links: the service desk, the numbers the
    editors add (a 24-hour line...), and the workers on duty right now."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    numbers = StreamField([("number", ContactNumberBlock())], verbose_name=_("numbers"),
                          blank=True)
    show_workers_on_duty = models.BooleanField(
        _("show the workers on duty"), default=True,
        help_text=_("List the repair workers on duty now (from the duty calendar) with "
                    "their phone numbers."))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("numbers"),
                      FieldPanel("show_workers_on_duty")]
    promote_panels = [*Page.promote_panels, FieldPanel("public")]

    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("phone repair page")

    def get_context(self, request, *args, **kwargs):
        from .tickets.roster import DutyShift

        context = super().get_context(request, *args, **kwargs)
        if self.show_workers_on_duty:
            shifts = (DutyShift.objects.filter(community_id=self.community_id,
                                               staff__user__is_active=True)
                      .on_duty(timezone.now()).select_related("staff__user"))
            context["workers_on_duty"] = list({s.staff_id: s.staff for s in shifts}.values())
        context["repair_page"] = RepairPage.objects.live().sibling_of(self).first()
        return context


SERVICE_PAGES = [
    (RepairPage, _("Report a repair"), "repairs"),
    (PhoneRepairPage, _("Phone repair"), "phone-repair"),
    (ComplaintPage, _("Complaints and suggestions"), "complaints"),
]


def ensure_service_pages(home_page):
    """The repair, phone repair and complaint pages under a community's home page,
    created and published when missing (the demo seeder and tests). Safe to call again."""
    from django.db import transaction
    from django.utils.translation import gettext

    created = []
    with transaction.atomic():
        for model, title, slug in SERVICE_PAGES:
            if model.objects.child_of(home_page).exists():
                continue
            page = model(title=gettext(title), slug=slug)
            home_page.add_child(instance=page)
            page.save_revision(log_action=False).publish(log_action=False)
            created.append(page)
    return created
