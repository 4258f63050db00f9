"""The demo estate that `make run` loads, and the large estate the benchmarks use.

One company, its communities, buildings, units and houses, owners on file, residents in
every state and staff in every role. The same code builds both sizes: `houses` sets how
many houses in total, spread over communities of at most HOUSES_PER_COMMUNITY houses.

Everything is keyed by a natural key (community code, building name, house number,
username...) and created only when missing, so running it again creates nothing.
The directory and the generated residents are bulk-inserted, which bypasses save():
denormalised fields (community, building) and blind indexes are set here by hand.
The named demo people go through the model methods, so their history is in the audit log.
"""

import math
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.crypto import blind_index

from . import roles
from .models import (
    Building,
    Community,
    Company,
    House,
    Occupancy,
    OwnerRecord,
    Resident,
    Staff,
    Trade,
    Unit,
)

COMPANY = "幸福里物业服务有限公司"
PASSWORD = "demo1234"
DEFAULT_HOUSES = 1000
# Mobile numbers and usernames are made from two-digit community and building numbers.
MAX_HOUSES = 500_000
HOUSES_PER_COMMUNITY = 10_000
BATCH = 2000

# (code, name, address); codes appear in links and staff usernames.
COMMUNITIES = [
    ("jinxiu", "锦绣苑", "杭州市西湖区文三路 88 号"),
    ("cuihu", "翠湖湾", "杭州市滨江区江南大道 1024 号"),
    ("guihua", "桂花园", "杭州市拱墅区湖墅南路 301 号"),
    ("xiangzhang", "香樟里", "杭州市上城区望江路 56 号"),
    ("yinxing", "银杏苑", "杭州市余杭区文一西路 998 号"),
    ("fenglin", "枫林湾", "杭州市萧山区市心中路 212 号"),
    ("zijing", "紫荆苑", "杭州市临平区迎宾路 77 号"),
    ("haitang", "海棠里", "杭州市钱塘区学源街 18 号"),
    ("yulan", "玉兰园", "杭州市富阳区金桥北路 66 号"),
    ("wutong", "梧桐苑", "杭州市西湖区古墩路 500 号"),
]

# Residential building shapes, used in turn: (floors, units, houses per floor per unit).
SHAPES = [(18, 2, 2), (26, 2, 3), (11, 2, 2), (33, 2, 3)]
# Floor plans by position on the floor (01, 02, 03): area in m².
AREAS = [Decimal("89.50"), Decimal("126.80"), Decimal("143.20")]
PARKING_ZONE = 300

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"  # noqa: E501
GIVEN_NAMES = [
    "建国", "秀英", "桂英", "志强", "丽", "敏", "静", "伟", "芳", "娜", "磊", "洋", "勇",
    "军", "杰", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂兰", "浩然", "子涵", "梓萱",
    "雨桐", "欣怡", "宇轩", "俊杰", "思远", "晓燕", "海燕", "春梅", "国华", "建华", "玉兰",
    "文博", "一鸣", "佳琪", "慧敏", "卫东", "红梅", "志刚", "淑珍", "德明", "嘉怡", "子豪",
]


# The people whose logins are printed: (phone, name, community, house, role, what happens).
# Their houses get owners on file that match (or, for the rejected claim, do not).
PERSONAS = [
    ("13800000001", "王建国", "jinxiu", ("1栋", "1单元", "1201"), "owner", "verified"),
    ("13800000002", "李秀英", "jinxiu", ("1栋", "1单元", "1201"), "family", "verified"),
    ("13800000003", "张伟", "jinxiu", ("1栋", "1单元", "1202"), "tenant", "verified"),
    ("13800000004", "刘洋", "jinxiu", ("1栋", "2单元", "601"), "owner", "pending"),
    ("13800000005", "陈静", "jinxiu", ("1栋", "2单元", "602"), "owner", "rejected"),
    ("13800000006", "杨磊", "jinxiu", ("1栋", "2单元", "702"), "owner", "ended"),
    ("13800000007", "赵敏", "jinxiu", ("1栋", "2单元", "701"), "owner", "disabled"),
    ("13800000011", "周杰", "cuihu", ("1栋", "1单元", "801"), "owner", "verified"),
    ("13800000012", "吴芳", "cuihu", ("1栋", "1单元", "802"), "tenant", "pending"),
]
# Owners on file for the personas' houses: who the company's records say owns them.
PERSONA_OWNERS = {
    ("jinxiu", "1栋", "1单元", "1201"): ("王建国", "13800000001"),
    ("jinxiu", "1栋", "1单元", "1202"): ("黄志强", "13900000001"),
    ("jinxiu", "1栋", "2单元", "601"): ("刘洋", "13800000004"),
    ("jinxiu", "1栋", "2单元", "602"): ("郑淑珍", "13900000002"),
    ("jinxiu", "1栋", "2单元", "702"): ("杨磊", "13800000006"),
    ("jinxiu", "1栋", "2单元", "701"): ("赵敏", "13800000007"),
    ("cuihu", "1栋", "1单元", "801"): ("周杰", "13800000011"),
    ("cuihu", "1栋", "1单元", "802"): ("孙国华", "13900000003"),
}

# Staff of each of the first two communities: (username suffix, name, role, trades).
COMMUNITY_STAFF = [
    ("manager", "钱卫东", roles.MANAGER, []),
    ("service", "林晓燕", roles.CUSTOMER_SERVICE, []),
    ("records", "何慧敏", roles.RECORDS_ADMIN, []),
    ("finance", "罗春梅", roles.FINANCE, []),
    ("guard", "马德明", roles.GUARD, []),
    ("editor", "宋佳琪", roles.EDITOR, []),
    ("worker1", "郭志刚", roles.WORKER, ["water", "electricity"]),
    ("worker2", "梁建华", roles.WORKER, ["elevator", "gas"]),
    ("worker3", "谢文博", roles.WORKER, ["carpentry", "general"]),
]
STAFF_COMMUNITIES = 2
# The roles that work on their phones, and where.
MOBILE_ROLES = {roles.WORKER: "/work/", roles.GUARD: "/gate/"}


@dataclass
class Login:
    role: str
    login: str
    community: str
    password: str = PASSWORD


@dataclass
class Report:
    created: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, label, number):
        self.created[label] = self.created.get(label, 0) + number


@dataclass(frozen=True)
class HousePlan:
    community: str
    building: str
    unit: str
    number: str
    floor: int
    area: Decimal
    kind: str

    @property
    def key(self):
        return (self.community, self.building, self.unit, self.number)


def seed(houses=DEFAULT_HOUSES):
    """Build (or complete) the demo estate with about `houses` houses; return a Report."""
    started = time.monotonic()
    report = Report()
    with transaction.atomic():
        company, created = Company.objects.get_or_create(
            name=COMPANY, defaults={"service_phone": "400-800-8888"})
        report.count("companies", int(created))
        plans = plan_directory(houses)
        communities = _communities(company, dict.fromkeys(p.community for p in plans), report)
        house_ids = _directory(communities, plans, report)
        owners, people = plan_people(plans)
        _owner_records(owners, house_ids, communities, report)
        staff = _staff(company, communities, report)
        _residents(people, house_ids, communities, staff, report)
        _personas(communities, house_ids, staff, report)
        _superuser(report)
        _home_pages(communities.values())
    report.seconds = time.monotonic() - started
    return report


def plan_directory(houses):
    """Every house of the estate, in a fixed order: the same `houses` gives the same plan."""
    count = max(STAFF_COMMUNITIES, math.ceil(houses / HOUSES_PER_COMMUNITY))
    plans = []
    for index in range(count):
        share = houses // count + (1 if index < houses % count else 0)
        plans.extend(_plan_community(_community_code(index), share))
    return plans


def _community_code(index):
    if index < len(COMMUNITIES):
        return COMMUNITIES[index][0]
    return f"estate-{index + 1}"


def _community_details(code):
    for index, (known, name, address) in enumerate(COMMUNITIES):
        if known == code:
            return index, name, address
    index = int(code.rsplit("-", 1)[1]) - 1
    return index, f"幸福里{index + 1}期", f"杭州市西湖区幸福路 {index + 1} 号"


def _plan_community(code, share):
    parking = share * 12 // 100
    storage = share * 4 // 100
    shops = share * 3 // 100
    residential = share - parking - storage - shops
    plans = []
    number = 0
    while len(plans) < residential:
        floors, units, per_floor = SHAPES[number % len(SHAPES)]
        number += 1
        building = f"{number}栋"
        for floor in range(1, floors + 1):
            for unit in range(1, units + 1):
                for position in range(1, per_floor + 1):
                    if len(plans) < residential:
                        plans.append(HousePlan(code, building, f"{unit}单元",
                                               f"{floor}{position:02d}", floor,
                                               AREAS[position - 1], House.Kind.RESIDENCE))
    for n in range(shops):
        plans.append(HousePlan(code, "商业街", "1区", f"S{101 + n}", 1,
                               Decimal(45 + (n * 7) % 80), House.Kind.SHOP))
    for n in range(parking):
        zone = chr(ord("A") + n // PARKING_ZONE)
        plans.append(HousePlan(code, "地下车库", f"{zone}区", f"{zone}{n % PARKING_ZONE + 1:03d}",
                               -1, Decimal("12.50"), House.Kind.PARKING))
    for n in range(storage):
        plans.append(HousePlan(code, "地下车库", "储藏室", f"C{n + 1:03d}", -1,
                               Decimal(6 + n % 5), House.Kind.STORAGE))
    return plans


def _communities(company, codes, report):
    communities = {}
    for code in codes:
        index, name, address = _community_details(code)
        community, created = Community.objects.get_or_create(
            code=code,
            defaults={"company": company, "name": name, "address": address,
                      "service_phone": f"0571-8888{index + 1:04d}",
                      "office_hours": "08:30–17:30"},
        )
        report.count("communities", int(created))
        communities[code] = community
    return communities


def _create_missing(model, items, key, existing, build, report, label):
    """Bulk-insert build(item) for each item whose key is not among the existing keys.
    Only missing rows become model instances: on a complete estate that is none."""
    missing = [build(item) for item in items if key(item) not in existing]
    model.objects.bulk_create(missing, batch_size=BATCH)
    report.count(label, len(missing))


def _directory(communities, plans, report):
    """Buildings, units and houses; returns {(code, building, unit, number): house id}."""
    community_ids = {code: c.pk for code, c in communities.items()}
    scope = {"community__in": list(community_ids.values())}

    existing = set(Building.objects.filter(**scope).values_list("community__code", "name"))
    _create_missing(
        Building, sorted({p.key[:2] for p in plans}), lambda key: key, existing,
        lambda key: Building(community_id=community_ids[key[0]], name=key[1],
                             sort_order=_sort_order(key[1])),
        report, "buildings")
    building_ids = {key[:2]: key[2] for key in Building.objects.filter(**scope).values_list(
        "community__code", "name", "pk")}

    existing = set(Unit.objects.filter(**scope).values_list(
        "community__code", "building__name", "name"))
    _create_missing(
        Unit, sorted({p.key[:3] for p in plans}), lambda key: key, existing,
        lambda key: Unit(building_id=building_ids[key[:2]], community_id=community_ids[key[0]],
                         name=key[2]),
        report, "units")
    unit_ids = {key[:3]: key[3] for key in Unit.objects.filter(**scope).values_list(
        "community__code", "building__name", "name", "pk")}

    def house_ids():
        return {key[:4]: key[4] for key in House.objects.filter(**scope).values_list(
            "community__code", "building__name", "unit__name", "number", "pk")}

    _create_missing(
        House, plans, lambda p: p.key, house_ids(),
        lambda p: House(unit_id=unit_ids[p.key[:3]], building_id=building_ids[p.key[:2]],
                        community_id=community_ids[p.community], number=p.number,
                        floor=p.floor, area=p.area, kind=p.kind),
        report, "houses")
    return house_ids()


def _sort_order(building):
    # Numbered buildings in number order, then the shops and the garage.
    return int(building.removesuffix("栋")) if building.endswith("栋") else 1000


def _name(rng, surname=None):
    return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_NAMES)


def _house_digits(p):
    """Eight digits naming a flat or shop, stable whatever the estate's size, from which
    its people's made-up mobile numbers are formed (139… owner, 137… family, 136… tenant).
    The printed demo logins use 1380000xxxx, which none of these can be."""
    community = _community_details(p.community)[0] + 1
    if p.kind == House.Kind.SHOP:
        return f"{community:02d}00{int(p.number[1:]):04d}"
    building = int(p.building.removesuffix("栋"))
    unit = int(p.unit.removesuffix("单元"))
    return f"{community:02d}{building:02d}{unit}{p.floor:02d}{int(p.number[-2:])}"


@dataclass
class _Person:
    username: str
    phone: str
    name: str
    house: tuple
    role: str
    state: str
    registered_at: object


def plan_people(plans):
    """Owners on file and registered residents, house by house.

    Most flats and shops have an owner on file; parking spaces and storage rooms mostly
    belong to owners of flats in the same community. About half of the flat owners
    registered (most verified, some pending, a few rejected or moved out), some with
    family members; some flats are let to registered tenants. Each house draws from its
    own random stream, so a house gets the same people whatever the estate's size."""
    now = timezone.now()
    persona_houses = {(code, *house) for _, _, code, house, _, _ in PERSONAS}
    owners, people, flat_owners = {}, [], {}

    def add(p, phone, name, role, state, rng):
        people.append(_Person(
            f"r-demo-{_house_digits(p)}-{role}", phone, name, p.key, role, state,
            now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))))

    for p in plans:
        rng = random.Random("/".join(p.key))
        owner = PERSONA_OWNERS.get(p.key)
        if owner is None and p.kind in (House.Kind.PARKING, House.Kind.STORAGE):
            if flat_owners.get(p.community) and rng.random() < 0.6:
                owner = rng.choice(flat_owners[p.community])
        elif owner is None and rng.random() < 0.88:
            owner = (_name(rng), f"139{_house_digits(p)}")
        if owner is not None:
            owners[p.key] = owner
        if p.kind != House.Kind.RESIDENCE or p.key in persona_houses:
            continue
        if owner is not None:
            flat_owners.setdefault(p.community, []).append(owner)
        draw = rng.random()
        if owner is not None and draw < 0.45:
            state = rng.choices(["verified", "pending", "rejected", "ended"], [80, 12, 4, 4])[0]
            add(p, owner[1], owner[0], "owner", state, rng)
            if state == "verified" and rng.random() < 0.3:
                add(p, f"137{_house_digits(p)}", _name(rng, owner[0][0]), "family",
                    rng.choices(["verified", "pending"], [80, 20])[0], rng)
        elif draw < 0.55:
            add(p, f"136{_house_digits(p)}", _name(rng), "tenant",
                rng.choices(["verified", "pending"], [70, 30])[0], rng)
    return owners, people


def _owner_records(owners, house_ids, communities, report):
    community_ids = {code: c.pk for code, c in communities.items()}
    existing = set(OwnerRecord.objects.filter(community__in=community_ids.values())
                   .values_list("house", flat=True))
    _create_missing(
        OwnerRecord, owners.items(), lambda item: house_ids[item[0]], existing,
        lambda item: OwnerRecord(
            house_id=house_ids[item[0]], community_id=community_ids[item[0][0]],
            name=item[1][0], phone=item[1][1], phone_index=blind_index(item[1][1])),
        report, "owners on file")


def _residents(people, house_ids, communities, staff, report):
    """Bulk-created residents, their accounts and their bindings, already in their final
    state as if imported from a previous system (so no audit-log history)."""
    community_ids = {code: c.pk for code, c in communities.items()}
    generated = {"username__startswith": "r-demo-"}

    def user_ids():
        return dict(User.objects.filter(**generated).values_list("username", "pk"))

    _create_missing(
        User, people, lambda p: p.username, user_ids(),
        # The phone field encrypts itself on the way to the database; its blind index is
        # computed in save(), which bulk_create skips.
        lambda p: User(username=p.username, phone=p.phone, phone_index=blind_index(p.phone),
                       password=_password_hash(), date_joined=p.registered_at),
        report, "user accounts")
    users = user_ids()

    def resident_ids():
        return dict(Resident.objects.filter(**{f"user__{k}": v for k, v in generated.items()})
                    .values_list("user__username", "pk"))

    _create_missing(
        Resident, people, lambda p: p.username, resident_ids(),
        lambda p: Resident(user_id=users[p.username], community_id=community_ids[p.house[0]],
                           name=p.name, registered_at=p.registered_at),
        report, "residents")
    residents = resident_ids()

    existing = set(Occupancy.objects.filter(
        **{f"resident__user__{k}": v for k, v in generated.items()}
    ).values_list("resident", "house"))
    _create_missing(
        Occupancy, people, lambda p: (residents[p.username], house_ids[p.house]), existing,
        lambda p: _occupancy(p, residents[p.username], house_ids[p.house],
                             community_ids[p.house[0]], staff.get((p.house[0], "records"))),
        report, "house bindings")


def _occupancy(person, resident_id, house_id, community_id, records):
    occupancy = Occupancy(resident_id=resident_id, house_id=house_id,
                          community_id=community_id, role=person.role, state=person.state,
                          created_at=person.registered_at)
    if person.state != Occupancy.State.PENDING:
        occupancy.decided_at = person.registered_at + timedelta(days=2)
        occupancy.decided_by_id = records.user_id if records else None
    if person.state == Occupancy.State.REJECTED:
        occupancy.reason = "手机号与业主档案不符"
    if person.state == Occupancy.State.ENDED:
        occupancy.reason = "房屋已出售"
        occupancy.ended_at = occupancy.decided_at + timedelta(days=30)
    return occupancy


@cache
def _password_hash():
    # Hashing is slow on purpose; every demo account shares the password, so hash it once.
    return make_password(PASSWORD)


def _user(username, report, **fields):
    """The account with this username, created with the demo password if missing."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=_password_hash(), **fields)
        user.save()
        report.count("user accounts", 1)
    return user


def _staff(company, communities, report):
    """Staff in every role: leadership bound to no community (it sees all of them), the
    others bound to one of the first two communities; a merchant account. Returns
    {(community code, duty): Staff}."""
    groups = {group.name: group for group in Group.objects.filter(
        name__in=roles.ROLE_PERMISSIONS)}
    trades = {trade.code: trade for trade in Trade.objects.all()}
    people = [("leader", "孙志远", roles.LEADERSHIP, None, [])]
    for code in list(communities)[:STAFF_COMMUNITIES]:
        people += [(f"{code}-{duty}", name, role, code, trade_codes)
                   for duty, name, role, trade_codes in COMMUNITY_STAFF]
    found = {}
    for username, name, role, code, trade_codes in people:
        # Workers and guards use the mobile workbench (/work/) and gate (/gate/), where
        # everyone logs in with a mobile number.
        phone = _mobile_staff_phone(code, username) if role in MOBILE_ROLES else None
        user = _user(username, report, is_staff=True, **({"phone": phone} if phone else {}))
        staff = Staff.objects.filter(user=user).first()
        if staff is None:
            user.groups.set([groups[role]])
            staff = Staff.objects.create(user=user, company=company, name=name)
            if code:
                staff.communities.set([communities[code]])
            staff.trades.set([trades[t] for t in trade_codes])
            report.count("staff", 1)
        community = communities[code].name if code else "(all)"
        label = role if not trade_codes else f"{role} ({'/'.join(trade_codes)})"
        if phone:
            label += f", {MOBILE_ROLES[role]}"
        report.logins.append(Login(label, phone or username, community))
        found[(code, username.rsplit("-", 1)[-1])] = staff

    merchant = _user("merchant", report)
    if not merchant.groups.exists():
        merchant.groups.set([groups[roles.MERCHANT]])
    report.logins.append(Login(roles.MERCHANT, "merchant", "—"))
    return found


def _mobile_staff_phone(code, username):
    """135000<community><worker number, or 9 for the guard>: no resident's made-up
    number starts with 135."""
    community = _community_details(code)[0] + 1
    number = int(username[-1]) if username[-1].isdigit() else 9
    return f"135000{community:02d}{number:03d}"


def _personas(communities, house_ids, staff, report):
    """The residents whose logins are printed, one for each state a binding can be in.
    They go through the model methods, so their history is in the audit log."""
    for index, (phone, name, code, house, role, outcome) in enumerate(PERSONAS, start=1):
        community = communities[code]
        report.logins.append(Login(f"resident: {role}, {outcome}", phone, community.name))
        if User.find_by_phone(phone) is not None:
            continue
        user = _user(f"demo-resident-{index}", report, phone=phone)
        resident = Resident.objects.create(user=user, community=community, name=name)
        report.count("residents", 1)
        occupancy = resident.request_occupancy(House.objects.get(pk=house_ids[(code, *house)]),
                                               role)
        report.count("house bindings", 1)
        records = staff[(code, "records")].user
        if outcome == "rejected":
            occupancy.reject(by=records, reason="手机号与业主档案不符")
        elif outcome != "pending":
            occupancy.verify(by=records)
        if outcome == "ended":
            occupancy.end(by=records, reason="房屋已出售")
        if outcome == "disabled":
            resident.disable(by=staff[(code, "manager")].user, reason="业主申请停用账号")


def _superuser(report):
    user = User.objects.filter(username="admin").first()
    if user is None:
        User.objects.create(username="admin", password=_password_hash(), is_staff=True,
                            is_superuser=True)
        report.count("user accounts", 1)
    report.logins.insert(0, Login("superuser", "admin", "(all)"))


def _home_pages(communities):
    # The home app gives each community its Wagtail home page; until it does, the demo
    # estate simply has none.
    try:
        from home.pages import ensure_home_page
    except ImportError:
        return
    from notices.demo import ensure_demo_content
    from services.pages import ensure_service_pages

    for community in communities:
        home = ensure_home_page(community)
        # With its repair, phone repair and complaint pages (the first tiles), and a few
        # notices, an activity, the handbook and the service numbers.
        ensure_service_pages(home)
        ensure_demo_content(home)
