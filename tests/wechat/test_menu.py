"""The custom menu against WeChat's limits, and its JSON for menu/create."""

import pytest
from django.utils import translation
from wagtail.blocks import StreamBlockValidationError

from portal.wechat import menu
from portal.wechat.models import Menu
from tests.wechat.admin_factories import click, miniprogram, submenu, view

# The menu's blocks as its field uses them (the field may be left empty in the form).
BLOCK = Menu._meta.get_field("buttons").stream_block


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def stream(*buttons):
    return BLOCK.to_python(list(buttons))


def problems(*buttons):
    return menu.problems(menu.to_wechat(stream(*buttons)))


def only_problem(*buttons):
    found = problems(*buttons)
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0]


# -- conversion ---------------------------------------------------------------------------

def test_menu_becomes_wechats_json_with_sub_buttons_and_each_type():
    buttons = stream(view(), click(), submenu("服务", view("缴费", "https://p.example.com/b/"),
                                               miniprogram()))
    assert menu.to_wechat(buttons) == {"button": [
        {"type": "view", "name": "报修", "url": "https://portal.example.com/repairs/"},
        {"type": "click", "name": "联系物业", "key": "CONTACT"},
        {"name": "服务", "sub_button": [
            {"type": "view", "name": "缴费", "url": "https://p.example.com/b/"},
            {"type": "miniprogram", "name": "停车", "url": "https://portal.example.com/",
             "appid": "wx286b93c14bbf93aa", "pagepath": "pages/index"},
        ]},
    ]}


def test_a_valid_menu_has_no_problems():
    assert problems(view(), click(), submenu("服务", *[view() for _ in range(5)])) == []


# -- WeChat's limits ------------------------------------------------------------------------

def test_a_menu_needs_at_least_one_button():
    problem = only_problem()
    assert problem.path == ()
    assert "at least one" in problem.message


def test_a_menu_has_at_most_three_buttons():
    problem = only_problem(view(), view(), view(), view())
    assert problem.path == ()
    assert "3" in problem.message


def test_a_sub_menu_has_at_most_five_buttons():
    problem = only_problem(submenu("服务", *[view() for _ in range(6)]))
    assert (problem.path, problem.field) == ((0,), "sub_button")
    assert "5" in problem.message


def test_a_sub_menu_needs_a_button():
    problem = only_problem(submenu("服务"))
    assert (problem.path, problem.field) == ((0,), "sub_button")


@pytest.mark.parametrize(("name", "ok"), [
    ("物业服务中", True),      # 5 Chinese characters: 15 bytes
    ("物业服务中心", False),   # 6: 18 bytes
    ("a" * 16, True),
    ("a" * 17, False),
])
def test_a_top_level_name_has_at_most_16_bytes(name, ok):
    found = problems(view(name=name))
    assert (found == []) is ok
    if not ok:
        assert (found[0].path, found[0].field) == ((0,), "name")
        assert "16" in found[0].message


@pytest.mark.parametrize(("name", "ok"), [("服" * 20, True), ("服" * 21, False)])
def test_a_sub_button_name_has_at_most_60_bytes(name, ok):
    found = problems(submenu("服务", view(name=name)))
    assert (found == []) is ok
    if not ok:
        assert (found[0].path, found[0].field) == ((0, 0), "name")
        assert "60" in found[0].message


def test_a_sub_menu_name_is_a_top_level_name():
    problem = only_problem(submenu("物业服务中心", view()))
    assert (problem.path, problem.field) == ((0,), "name")


def test_a_key_has_at_most_128_bytes():
    assert problems(click(key="k" * 128)) == []
    problem = only_problem(click(key="键" * 43))
    assert (problem.path, problem.field) == ((0,), "key")


def test_a_link_has_at_most_1024_bytes():
    base = "https://portal.example.com/"
    assert problems(view(url=base + "a" * (1024 - len(base)))) == []
    problem = only_problem(view(url=base + "a" * (1025 - len(base))))
    assert (problem.path, problem.field) == ((0,), "url")


def test_a_link_is_http_or_https():
    problem = only_problem(view(url="ftp://portal.example.com/"))
    assert problem.field == "url"


@pytest.mark.parametrize(("button", "field"), [
    (view(url=""), "url"),
    (click(key=""), "key"),
    (miniprogram(appid=""), "appid"),
    (miniprogram(pagepath=""), "pagepath"),
    (miniprogram(url=""), "url"),
    (view(name=""), "name"),
])
def test_each_type_needs_its_fields(button, field):
    assert only_problem(button).field == field


def test_wechats_unknown_button_type_is_a_problem_of_the_button():
    found = menu.problems({"button": [{"type": "media_id", "name": "图片", "media_id": "x"}]})
    assert [(problem.path, problem.field) for problem in found] == [((0,), None)]


def test_a_problem_says_which_button_it_is_about():
    problem = only_problem(view(), submenu("服务", view(), view(url="")))
    assert str(problem).startswith("Button 2, sub-button 2: ")


# -- as errors on the blocks -----------------------------------------------------------------

def test_saving_a_menu_over_the_limits_puts_the_error_on_the_right_block():
    value = BLOCK.to_python([view(), submenu("服务", view(), view(name="服" * 21))])
    with pytest.raises(StreamBlockValidationError) as caught:
        BLOCK.clean(value)
    sub_menu = caught.value.block_errors[1]
    assert list(caught.value.block_errors) == [1]
    sub_button = sub_menu.block_errors["sub_buttons"].block_errors[1]
    assert "60" in sub_button.block_errors["name"].messages[0]


def test_saving_a_menu_without_buttons_is_refused_with_a_message_on_the_menu():
    with pytest.raises(StreamBlockValidationError) as caught:
        BLOCK.clean(BLOCK.to_python([]))
    assert "at least one" in caught.value.non_block_errors.as_data()[0].messages[0]


def test_saving_a_valid_menu_keeps_it():
    value = BLOCK.to_python([view(), click()])
    assert menu.to_wechat(BLOCK.clean(value)) == menu.to_wechat(value)
