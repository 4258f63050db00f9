"""Staff roles are Django groups with function permissions; data permission (which
communities) comes from Staff.communities and portal.estates.scope.

The groups and their permissions are created by data migrations calling sync_roles(),
never by hand, so every installation has the same roles. Group names are what the
company's admins see, in Chinese.
"""

LEADERSHIP = "公司领导"
MANAGER = "小区经理"
CUSTOMER_SERVICE = "客服"
RECORDS_ADMIN = "档案管理员"
WORKER = "维修工"
FINANCE = "财务"
GUARD = "保安"
EDITOR = "内容编辑"
MERCHANT = "商家"

# The roles that work at a desk for whole communities (not only on their own orders).
DESK_ROLES = [LEADERSHIP, MANAGER, CUSTOMER_SERVICE, RECORDS_ADMIN, FINANCE, EDITOR]

ADMIN_ACCESS = "wagtailadmin.access_admin"

_DIRECTORY = ["community", "building", "unit", "house", "ownerrecord"]
_PEOPLE = ["resident", "occupancy", "staff"]


def _crud(model, actions=("add", "change", "delete", "view")):
    return [f"estates.{action}_{model}" for action in actions]


def _view(*models):
    return [f"estates.view_{model}" for model in models]


# The delivery log of notifications (scoped to the staff's communities) and the template
# message settings of the official accounts (whole-company staff).
_DELIVERY_LOG = ["notifications.view_delivery"]
_RESEND = ["notifications.resend_delivery"]
_TEMPLATES = [f"notifications.{action}_templatesetting"
              for action in ("add", "change", "delete", "view")]


ROLE_PERMISSIONS = {
    # Leadership and managers manage staff; the staff form lets only leadership hand
    # out the leadership role.
    LEADERSHIP: [ADMIN_ACCESS, *_view(*_DIRECTORY, *_PEOPLE), "estates.add_staff",
                 "estates.change_staff", *_DELIVERY_LOG, *_RESEND, *_TEMPLATES],
    MANAGER: [
        ADMIN_ACCESS,
        *_view(*_DIRECTORY, *_PEOPLE),
        "estates.add_staff", "estates.change_staff", "estates.print_registration_code",
        *_crud("building"), *_crud("unit"), *_crud("house"), *_crud("ownerrecord"),
        "estates.change_community",
        "estates.change_resident", "estates.change_occupancy",
        "estates.verify_occupancy", "estates.disable_resident", "estates.import_directory",
        *_DELIVERY_LOG, *_RESEND,
    ],
    CUSTOMER_SERVICE: [
        ADMIN_ACCESS,
        *_view("community", "building", "unit", "house", "ownerrecord", "resident", "occupancy"),
        "estates.verify_occupancy", *_DELIVERY_LOG,
    ],
    RECORDS_ADMIN: [
        ADMIN_ACCESS,
        *_view(*_DIRECTORY, *_PEOPLE),
        *_crud("building"), *_crud("unit"), *_crud("house"), *_crud("ownerrecord"),
        "estates.change_resident", "estates.change_occupancy",
        "estates.verify_occupancy", "estates.disable_resident", "estates.import_directory",
        "estates.print_registration_code",
    ],
    FINANCE: [ADMIN_ACCESS, *_view("community", "building", "unit", "house", "ownerrecord",
                                   "resident", "occupancy")],
    EDITOR: [ADMIN_ACCESS, *_view("community", "building", "unit")],
    # Workers and guards use the mobile workbench, not the admin.
    WORKER: [],
    GUARD: [],
    MERCHANT: [ADMIN_ACCESS],
}


# The WeChat Official Account (portal.wechat): editors keep the auto-replies and menus,
# managers also push a menu live, customer service looks followers up, leadership also
# manages the accounts themselves (their secrets included).
_WECHAT_CONTENT = [*[f"wechat.{action}_autoreply" for action in ("add", "change", "delete",
                                                                "view")],
                   "wechat.add_menu", "wechat.change_menu", "wechat.view_menu"]
_FOLLOWERS = ["wechat.view_follower"]
ROLE_PERMISSIONS[LEADERSHIP] += [*_WECHAT_CONTENT, "wechat.delete_menu", "wechat.push_menu",
                                 *_FOLLOWERS, "wechat.add_officialaccount",
                                 "wechat.change_officialaccount",
                                 "wechat.view_officialaccount"]
ROLE_PERMISSIONS[MANAGER] += [*_WECHAT_CONTENT, "wechat.push_menu", *_FOLLOWERS]
ROLE_PERMISSIONS[CUSTOMER_SERVICE] += _FOLLOWERS
ROLE_PERMISSIONS[EDITOR] += _WECHAT_CONTENT


# Tickets (services): customer service and managers handle their communities' tickets;
# managers and leadership also see who filed an anonymous complaint and keep the
# categories, dispatch rules, teams and duty calendar.
_TICKETS_VIEW = ["services.view_ticket", "services.view_revisit"]
_TICKETS_HANDLE = [*_TICKETS_VIEW, "services.handle_ticket", "services.add_revisit"]
_TICKET_SETUP = [f"services.{action}_{model}"
                 for model in ("ticketcategory", "dispatchrule", "workerteam", "dutyshift")
                 for action in ("add", "change", "delete", "view")]
ROLE_PERMISSIONS[LEADERSHIP] += [*_TICKETS_VIEW, "services.view_reporter", *_TICKET_SETUP]
ROLE_PERMISSIONS[MANAGER] += [*_TICKETS_HANDLE, "services.view_reporter", *_TICKET_SETUP]
ROLE_PERMISSIONS[CUSTOMER_SERVICE] += [*_TICKETS_HANDLE,
                                       "services.view_dispatchrule", "services.view_workerteam",
                                       "services.view_dutyshift",
                                       "services.add_dutyshift", "services.change_dutyshift"]


# Payments (portal.payments): finance sees its communities' payment orders and refunds,
# records cash and bank-transfer payments and refunds; leadership and managers read them.
_PAYMENTS_VIEW = ["payments.view_paymentorder", "payments.view_refund"]
ROLE_PERMISSIONS[FINANCE] += [*_PAYMENTS_VIEW, "payments.refund_paymentorder",
                              "payments.record_offline_payment"]
ROLE_PERMISSIONS[LEADERSHIP] += _PAYMENTS_VIEW
ROLE_PERMISSIONS[MANAGER] += _PAYMENTS_VIEW


# Billing (services.billing): finance keeps the fee items, parking spaces, meters and
# readings, generates the bills and adjusts or waives lines; leadership and managers
# read everything.
_BILLING_SETUP = [f"billing.{action}_{model}"
                  for model in ("feeitem", "latefeerule", "parkingspace", "meter",
                                "meterreading")
                  for action in ("add", "change", "delete", "view")]
_BILLING_VIEW = [f"billing.view_{model}"
                 for model in ("feeitem", "latefeerule", "parkingspace", "meter",
                               "meterreading", "bill", "billline", "billrun", "billevent")]
ROLE_PERMISSIONS[FINANCE] += [*_BILLING_SETUP, *_BILLING_VIEW, "billing.add_billrun",
                              "billing.adjust_bill"]
ROLE_PERMISSIONS[LEADERSHIP] += _BILLING_VIEW
ROLE_PERMISSIONS[MANAGER] += _BILLING_VIEW


# Owners' payments (services.billing): finance publishes the public funds statements and
# reads receipts, advance balances and parking cards; leadership and managers read them.
_BILLING_OWNER_VIEW = [f"billing.view_{model}"
                       for model in ("receipt", "advanceaccount", "advanceentry",
                                     "parkingcard", "parkingtopup", "billpayment",
                                     "fundstatement")]
ROLE_PERMISSIONS[FINANCE] += [*_BILLING_OWNER_VIEW, "billing.add_fundstatement",
                              "billing.change_fundstatement", "billing.delete_fundstatement"]
ROLE_PERMISSIONS[LEADERSHIP] += _BILLING_OWNER_VIEW
ROLE_PERMISSIONS[MANAGER] += _BILLING_OWNER_VIEW


# Bill reminders and dunning (services.billing): finance sets how each community reminds
# its owners; leadership and managers read the settings.
_REMINDER_SETTINGS = [f"billing.{action}_remindersetting" for action in ("add", "change", "view")]
ROLE_PERMISSIONS[FINANCE] += _REMINDER_SETTINGS
ROLE_PERMISSIONS[LEADERSHIP] += ["billing.view_remindersetting"]
ROLE_PERMISSIONS[MANAGER] += ["billing.view_remindersetting"]



# Merchant orders (merchants.shop): a merchant's accounts keep their products (switched
# off rather than deleted: orders keep pointing at them) and handle their orders and
# after-sale requests; managers and customer service handle the orders of the merchants
# serving their communities and read their products; leadership reads everything.
_SHOP_VIEW = ["shop.view_order", "shop.view_aftersale", "shop.view_product"]
ROLE_PERMISSIONS[MERCHANT] += [*_SHOP_VIEW, "shop.handle_order", "shop.add_product",
                               "shop.change_product"]
ROLE_PERMISSIONS[MANAGER] += [*_SHOP_VIEW, "shop.handle_order"]
ROLE_PERMISSIONS[CUSTOMER_SERVICE] += [*_SHOP_VIEW, "shop.handle_order"]
ROLE_PERMISSIONS[LEADERSHIP] += _SHOP_VIEW

# Visitors (services.visitors): guards work the gate on their workbench (passes and the
# gate log of their communities); customer service and managers read passes and the log
# and export it; managers keep each community's visitor settings; leadership reads all.
_VISITORS_VIEW = ["visitors.view_visitorpass", "visitors.view_gateentry",
                  "visitors.view_visitorsetting"]
_VISITORS_DESK = [*_VISITORS_VIEW, "visitors.export_visitorpass"]
ROLE_PERMISSIONS[GUARD] += ["visitors.view_visitorpass", "visitors.view_gateentry"]
ROLE_PERMISSIONS[CUSTOMER_SERVICE] += _VISITORS_DESK
ROLE_PERMISSIONS[MANAGER] += [*_VISITORS_DESK, "visitors.add_visitorsetting",
                              "visitors.change_visitorsetting"]
ROLE_PERMISSIONS[LEADERSHIP] += _VISITORS_DESK


# Merchant listings (merchants): managers approve, suspend and reinstate the merchants
# serving their communities and create their accounts; managers and editors keep the
# tag list; customer service and leadership read the merchants and their history.
_MERCHANTS_VIEW = ["merchants.view_merchantpage", "merchants.view_merchantevent",
                   "merchants.view_merchantaccount"]
_MERCHANT_TAGS = [f"merchants.{action}_merchanttag"
                  for action in ("add", "change", "delete", "view")]
ROLE_PERMISSIONS[MANAGER] += [*_MERCHANTS_VIEW, *_MERCHANT_TAGS, "merchants.manage_merchant",
                              "merchants.add_merchantaccount",
                              "merchants.delete_merchantaccount"]
ROLE_PERMISSIONS[EDITOR] += ["merchants.view_merchantpage", *_MERCHANT_TAGS]
ROLE_PERMISSIONS[CUSTOMER_SERVICE] += ["merchants.view_merchantpage"]
ROLE_PERMISSIONS[LEADERSHIP] += _MERCHANTS_VIEW


DEFAULT_ACTIONS = ("add", "change", "delete", "view")


def sync_roles(apps, schema_editor=None):
    """Create the role groups and give each exactly its permissions (idempotent).

    Usable from a data migration: permissions are created first, because on a fresh
    database Django creates them only after all migrations have run. Permissions of an
    app whose models are not created yet at this point of the migrations are left for
    that app's own migration calling sync_roles again."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration state apps have no models module, which create_permissions needs;
        # put back what was there, or the project's apps would lose theirs.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            if not apps.all_models.get(app_label):
                continue
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                action, _sep, model = codename.partition("_")
                if action in DEFAULT_ACTIONS and model not in apps.all_models[app_label]:
                    continue  # a model of a later migration of the app: granted there
                raise LookupError(f"permission {name} does not exist")
            wanted.append(permission)
        group.permissions.set(wanted)


# Wagtail page permissions, granted on the portal root page, so over every community's
# pages; notices.wagtail_hooks keeps each user to the communities they serve. Editors
# draft and submit for approval; managers approve and publish.
PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page"],
    MANAGER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
# Pictures and files for page bodies, on the root collection.
COLLECTION_PERMISSIONS = {
    role: ["wagtailimages.add_image", "wagtailimages.choose_image",
           "wagtaildocs.add_document", "wagtaildocs.choose_document"]
    for role in PAGE_PERMISSIONS
}


def sync_page_permissions(apps, schema_editor=None):
    """Give the roles that edit pages exactly their page and collection permissions on
    the portal root (idempotent; for data migrations)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    portal_root = Page.objects.filter(depth=2, content_type__app_label="home",
                                      content_type__model="portalrootpage").first()
    root_collection = Collection.objects.filter(depth=1).first()
    for role, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if portal_root is not None:
            wanted = Permission.objects.filter(content_type__app_label="wagtailcore",
                                               content_type__model="page",
                                               codename__in=codenames)
            GroupPagePermission.objects.filter(group=group, page=portal_root).exclude(
                permission__in=wanted).delete()
            for permission in wanted:
                GroupPagePermission.objects.get_or_create(group=group, page=portal_root,
                                                          permission=permission)
        if root_collection is not None:
            for name in COLLECTION_PERMISSIONS[role]:
                app_label, codename = name.split(".")
                permission = Permission.objects.get(content_type__app_label=app_label,
                                                    codename=codename)
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission)
