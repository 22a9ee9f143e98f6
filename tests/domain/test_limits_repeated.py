"""Merging an add-on N times costs the same for any N and equals N merges (issue 11, defect 1)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from planswitch.domain import limits as limits_module
from planswitch.domain.limits import Limitations, merge, merge_repeated

SCALARS = st.one_of(
    st.integers(-5, 50),
    st.sampled_from(["", "0", "3", "12", "visible", "hidden", "block", "1.5", None]),
    st.booleans(),
    st.floats(0, 10, allow_nan=False).map(lambda f: round(f, 1)),
)
MODULE_NAMES = ["sites", "users", "disk_space", "post_types", "visits", "domain_mapping"]


@st.composite
def limitations(draw):
    modules = {}
    for name in draw(st.lists(st.sampled_from(MODULE_NAMES), unique=True, max_size=4)):
        module = {"enabled": draw(st.booleans()), "limit": draw(SCALARS)}
        if draw(st.booleans()):
            module["visibility"] = draw(st.sampled_from(["visible", "hidden"]))
        if draw(st.booleans()):
            module["limit"] = {
                key: {"enabled": draw(st.booleans()), "number": draw(SCALARS)}
                for key in draw(st.lists(st.sampled_from(["post", "page"]), unique=True))
            }
        modules[name] = module
    return Limitations(modules)


FOUR_POSTS = Limitations(
    {"disk_space": {"enabled": True, "limit": {"post": {"enabled": True, "number": 4}}}}
)
ONE_POST_LESS = Limitations(
    {"disk_space": {"enabled": True, "limit": {"post": {"enabled": True, "number": -1}}}}
)


@settings(max_examples=300, deadline=None)
@given(limitations(), limitations(), st.integers(0, 40))
# Found by Hypothesis: 4, 3, 2, ... reaches 0, which is unlimited and stays.
@example(FOUR_POSTS, ONE_POST_LESS, 5)
@example(FOUR_POSTS, ONE_POST_LESS, 40)
def test_repeating_equals_merging_one_copy_at_a_time(base, addon, times) -> None:
    expected = merge(base, *[addon] * times)
    assert merge_repeated(base, addon, times).to_raw() == expected.to_raw()


def test_a_huge_quantity_is_merged_at_once(monkeypatch) -> None:
    """2**31 - 1 copies cost a handful of merges, not one per copy (counted, not timed)."""
    addon = Limitations(
        {"sites": {"enabled": True, "limit": 2}, "users": {"enabled": True, "limit": 1}}
    )
    calls = 0

    def counted_merge(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls > 100:
            raise AssertionError("merged copy by copy")
        return merge(*args, **kwargs)

    monkeypatch.setattr(limits_module, "merge", counted_merge)
    merged = merge_repeated(Limitations.empty(), addon, 2**31 - 1)
    assert calls <= 4
    assert merged.to_raw()["sites"]["limit"] == 2 * (2**31 - 1)
    assert merged.to_raw()["users"]["limit"] == 2**31 - 1
