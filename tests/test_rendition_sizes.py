"""The pure logic of renditions: which sizes and crops exist, which URLs verify, and the bound of
each process's memory of them."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from cms.config import Settings
from cms.media import signing, sizes
from cms.media.renditions import Memory, Served
from cms.media.signing import BadURL, Keys
from cms.media.sizes import ORIGINAL, Fit, Format, Rendition

WIDTHS = [320, 480, 640, 800, 1024, 1200, 1600, 2048]
ASPECTS = ["16:9", "4:3", "1:1"]
IMAGE = "ab" * 32
KEY_A = "a" * 40
KEY_B = "b" * 40

dimensions = st.tuples(st.integers(1, 9000), st.integers(1, 9000))
fractions = st.floats(0, 1)
fits = st.sampled_from(list(Fit))


def planned(original: tuple[int, int], **asked: object) -> Rendition:
    values: dict[str, object] = {
        "width": None,
        "height": None,
        "fit": Fit.COVER,
        "format": Format.WEBP,
        "focal": (0.5, 0.5),
    }
    values.update(asked)
    return sizes.plan(image=IMAGE, original=original, widths=WIDTHS, aspects=ASPECTS, **values)  # type: ignore[arg-type]


def test_a_width_between_two_is_rounded_up() -> None:
    assert planned((4000, 3000), width=1000).width == 1024
    assert planned((4000, 3000), width=1024).width == 1024
    assert planned((4000, 3000), width=1).width == 320


def test_a_width_beyond_the_list_gets_the_largest() -> None:
    assert planned((9000, 6000), width=5000).width == 2048


def test_never_larger_than_the_original() -> None:
    # Given a picture 900 pixels wide, when 1200 are asked, then 900 are given.
    assert planned((900, 600), width=1200).width == 900
    # A 16:9 crop of a 900 x 400 picture is at most 711 pixels wide.
    rendition = planned((900, 400), width=2000, height=1125)
    assert rendition.aspect == "16:9"
    assert rendition.width == 711
    assert sizes.box(rendition, (900, 400)).size == (711, 400)


def test_a_height_goes_to_the_nearest_aspect() -> None:
    assert planned((4000, 4000), width=1200, height=700).aspect == "16:9"
    assert planned((4000, 4000), width=1200, height=880).aspect == "4:3"
    assert planned((4000, 4000), width=1200, height=1300).aspect == ORIGINAL  # 1:1 is its own
    # Portrait: the original's own proportions are nearer than any listed aspect.
    assert planned((3000, 4500), width=800, height=1200).aspect == ORIGINAL


def test_no_width_is_the_original_width_rounded_and_capped() -> None:
    assert planned((1100, 700)).width == 1100
    assert planned((5000, 3000)).width == 2048


def test_contain_fits_the_whole_picture_inside_the_box() -> None:
    rendition = planned((4000, 3000), width=1200, height=675, fit=Fit.CONTAIN)
    box = sizes.box(rendition, (4000, 3000))
    assert box.crop == (0, 0, 4000, 3000)
    assert box.size == (900, 675)


def test_the_focal_point_moves_the_crop() -> None:
    left = planned((4000, 3000), width=1200, height=1200, focal=(0.1, 0.5))
    right = planned((4000, 3000), width=1200, height=1200, focal=(0.9, 0.5))
    assert sizes.box(left, (4000, 3000)).crop == (0, 0, 3000, 3000)
    assert sizes.box(right, (4000, 3000)).crop == (1000, 0, 4000, 3000)


@settings(max_examples=400, deadline=None)
@given(
    original=dimensions,
    width=st.none() | st.integers(1, 10_000),
    height=st.none() | st.integers(1, 10_000),
    fit=fits,
    focal=st.tuples(fractions, fractions),
)
def test_any_request_gets_a_valid_rendition_no_larger_than_the_original(
    original: tuple[int, int],
    width: int | None,
    height: int | None,
    fit: Fit,
    focal: tuple[float, float],
) -> None:
    rendition = planned(original, width=width, height=height, fit=fit, focal=focal)

    assert sizes.valid(rendition, original, WIDTHS, ASPECTS)
    box = sizes.box(rendition, original)
    out_w, out_h = box.size
    assert out_w <= max(original[0], 1)
    assert out_h <= max(original[1], 1) or out_h == 1
    assert rendition.width in WIDTHS or rendition.width < max(WIDTHS)
    if width is not None:
        asked_or_capped = sizes.rounded_width(width, WIDTHS)
        assert rendition.width <= asked_or_capped


@settings(max_examples=400, deadline=None)
@given(original=dimensions, focal=st.tuples(fractions, fractions), aspect=st.sampled_from(ASPECTS))
def test_a_cover_crop_keeps_the_focal_point_and_the_aspect(
    original: tuple[int, int], focal: tuple[float, float], aspect: str
) -> None:
    left, top, right, bottom = sizes.crop_region(original, sizes.ratio(aspect), focal)

    assert 0 <= left <= focal[0] * original[0] <= right <= original[0] + 1e-6
    assert 0 <= top <= focal[1] * original[1] <= bottom <= original[1] + 1e-6
    assert math.isclose((right - left) / (bottom - top), sizes.ratio(aspect), rel_tol=1e-9)
    # The largest such region: it spans the whole width or the whole height.
    assert math.isclose(right - left, original[0]) or math.isclose(bottom - top, original[1])


@given(original=dimensions, width=st.integers(1, 10_000))
def test_widths_off_the_list_are_not_valid(original: tuple[int, int], width: int) -> None:
    rendition = Rendition(IMAGE, width, ORIGINAL, Fit.COVER, (500, 500), Format.JPEG)

    expected = (width in WIDTHS and width <= original[0]) or (
        width == original[0] and original[0] < max(WIDTHS)
    )
    assert sizes.valid(rendition, original, WIDTHS, ASPECTS) is expected


def test_other_spellings_of_one_rendition_are_not_valid() -> None:
    original = (4000, 3000)
    contain_original = Rendition(IMAGE, 1200, ORIGINAL, Fit.CONTAIN, (500, 500), Format.JPEG)
    moved_contain = Rendition(IMAGE, 1200, "16:9", Fit.CONTAIN, (100, 500), Format.JPEG)
    own_aspect = Rendition(IMAGE, 1200, "4:3", Fit.COVER, (500, 500), Format.JPEG)
    unlisted = Rendition(IMAGE, 1200, "3:2", Fit.COVER, (500, 500), Format.JPEG)
    for rendition in (contain_original, moved_contain, own_aspect, unlisted):
        assert not sizes.valid(rendition, original, WIDTHS, ASPECTS), rendition


def keys(value: str | None) -> Keys:
    return Keys.of(Settings(media_keys=SecretStr(value) if value else None))


renditions = st.builds(
    Rendition,
    image=st.text("0123456789abcdef", min_size=64, max_size=64),
    width=st.sampled_from(WIDTHS),
    aspect=st.sampled_from([ORIGINAL, *ASPECTS]),
    fit=fits,
    focal=st.tuples(st.integers(0, 1000), st.integers(0, 1000)),
    format=st.sampled_from(list(Format)),
)


@given(rendition=renditions)
def test_a_signed_path_verifies_to_the_same_rendition(rendition: Rendition) -> None:
    signed = signing.path(rendition, keys(f"new:{KEY_A}"))

    assert signing.verified(signed.removeprefix(signing.PREFIX), keys(f"new:{KEY_A}")) == rendition


@given(rendition=renditions, data=st.data())
def test_any_changed_character_is_refused(rendition: Rendition, data: st.DataObject) -> None:
    signed = signing.path(rendition, keys(None)).removeprefix(signing.PREFIX)
    at = data.draw(st.integers(0, len(signed) - 1))
    other = data.draw(st.sampled_from("0123456789abcdefxA-_./").filter(lambda c: c != signed[at]))
    changed = signed[:at] + other + signed[at + 1 :]

    with pytest.raises(BadURL):
        signing.verified(changed, keys(None))


def test_rotation_keeps_old_urls_and_signs_with_the_new_key() -> None:
    rendition = Rendition(IMAGE, 1200, "16:9", Fit.COVER, (300, 600), Format.AUTO)
    old = signing.path(rendition, keys(f"k1:{KEY_A}")).removeprefix(signing.PREFIX)

    rotated = keys(f"k2:{KEY_B},k1:{KEY_A}")
    new = signing.path(rendition, rotated).removeprefix(signing.PREFIX)

    assert signing.verified(old, rotated) == rendition
    assert "/k2." in f"/{new}"
    assert signing.verified(new, rotated) == rendition
    # Once the old key is dropped, its URLs are refused, and by name.
    with pytest.raises(BadURL, match="no longer holds"):
        signing.verified(old, keys(f"k2:{KEY_B}"))


def test_one_key_cannot_pass_for_another() -> None:
    rendition = Rendition(IMAGE, 640, ORIGINAL, Fit.COVER, (500, 500), Format.JPEG)
    signed = signing.path(rendition, keys(f"k1:{KEY_A}")).removeprefix(signing.PREFIX)

    with pytest.raises(BadURL, match="signature"):
        signing.verified(signed, keys(f"k1:{KEY_B}"))


def test_the_derived_key_follows_the_secret_key() -> None:
    rendition = Rendition(IMAGE, 640, ORIGINAL, Fit.COVER, (500, 500), Format.JPEG)
    one = Keys.of(Settings(secret_key=SecretStr("x" * 40)))
    other = Keys.of(Settings(secret_key=SecretStr("y" * 40)))
    signed = signing.path(rendition, one).removeprefix(signing.PREFIX)

    assert signing.verified(signed, one) == rendition
    with pytest.raises(BadURL):
        signing.verified(signed, other)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("media_widths", "0,640"),
        ("media_widths", "640,99999"),
        ("media_aspects", "16/9"),
        ("media_aspects", "0:1"),
        ("media_keys", "k1:short"),
        ("media_keys", "bad id:" + KEY_A),
        ("media_url", "api.example"),
    ],
)
def test_bad_media_settings_are_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings.model_validate({name: value})


def test_media_settings_read_from_the_environment_as_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSROOM_MEDIA_WIDTHS", "800, 400,800")
    monkeypatch.setenv("NEWSROOM_MEDIA_ASPECTS", "3:2,1:1")

    settings = Settings()

    assert settings.media_widths == [400, 800]
    assert settings.media_aspects == ["3:2", "1:1"]


def served(size: int, tag: str = "x") -> Served:
    return Served(tag.encode() * size, "image/webp", f'"{tag}"')


def test_the_memory_keeps_the_most_recently_used_within_its_bound() -> None:
    memory = Memory(limit=300)
    memory.put("a/1.webp", served(100))
    memory.put("a/2.webp", served(100))
    memory.put("b/1.webp", served(100))
    assert memory.get("a/1.webp") is not None  # used again: the newest now

    memory.put("b/2.webp", served(100))  # one has to go: a/2, the least recently used
    memory.put("huge.webp", served(301))  # larger than the whole memory: never kept

    assert [memory.get(key) is not None for key in ("a/1.webp", "a/2.webp", "b/1.webp")] == [
        True,
        False,
        True,
    ]
    assert memory.get("huge.webp") is None
    assert memory.size == 300
    memory.drop_image("b")
    assert (memory.get("b/1.webp"), memory.get("b/2.webp"), memory.size) == (None, None, 100)


@given(
    st.integers(0, 2000),
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 700)), max_size=40),
)
def test_the_memory_never_holds_more_than_its_bound(
    limit: int, puts: list[tuple[str, int]]
) -> None:
    memory = Memory(limit=limit)
    for key, size in puts:
        memory.put(key, served(size, key))
        assert memory.size <= limit
    kept = [found for key in "abcdefgh" if (found := memory.get(key)) is not None]
    assert memory.size == sum(len(found.data) for found in kept)
    if puts and puts[-1][1] <= limit:
        assert memory.get(puts[-1][0]) is not None  # the newest is always kept
