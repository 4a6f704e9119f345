"""The image check itself (lti_tool.imagesafe), without a server: what it refuses, what it lets
through, what it gives back, and that no text can make it slow."""
import ast
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lti_tool.errors import ValidationFailed
from lti_tool.imagesafe import MAX_CHARS, ImagesRefused, image_in, refuse_images, without_images

from .corpus import benign_lines
from .images import ENCODINGS, FORMATS, png

BENIGN = benign_lines()


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The app without a database: the check needs none (so this module runs once, not per database)."""
    import os
    from lti_tool import create_app
    os.environ.setdefault("LTI_TOOL_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    return create_app({"TESTING": True, "SECRET_KEY": "unit", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture(autouse=True)
def _request_context(bare_app):
    """Refusals carry translated messages, so they need a request context."""
    with bare_app.test_request_context():
        yield


def test_the_corpus_is_in_the_repository_and_matches_shared():
    assert len(BENIGN) >= 40
    shared = Path(__file__).parents[2] / ".." / "shared" / "corpus" / "benign-reports.txt"
    if shared.exists():
        assert [line.strip() for line in shared.read_text().splitlines() if line.strip()] == BENIGN


@pytest.mark.parametrize("line", BENIGN)
def test_every_ordinary_report_is_accepted_alone(line):
    assert image_in(line) is None
    assert without_images(line) == line


def test_every_ordinary_report_is_accepted_inside_longer_text():
    rng = random.Random(7)
    for _ in range(20):
        lines = rng.sample(BENIGN, 12)
        text = rng.choice(("\n", " ", "\n\n", ". ")).join(lines)
        assert image_in(text) is None, text
    assert image_in("\n".join(BENIGN)) is None
    assert image_in(" ".join(BENIGN)) is None


@pytest.mark.parametrize("text", [
    "Someone shared my data: address and phone number.",
    "Gegevens: mijn adres is gedeeld. Data: 12 mei om 20:00.",
    "https://www.instagram.com/p/Cx9-abcDEF_12/?igsh=MWZ5bDhxZmFhcnU=",
    "https://www.nu.nl/binnenland/6301234/leerling-van-middelbare-school-slachtoffer-van-sextortion.html",
    "He wrote <3 and then :-) and said 'I'll find you' [twice] (really).",
    "!!! [urgent] please help",
    "the url(s) they sent, and the image(s) in the chat",
    "A JWT in a link: https://x.example/r?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.abc",
    "SHA-256 van het bestand: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "👨‍👩‍👧 ze lachen me uit 😢😢 #pesten @klas2b",
    "Bel 06 12 34 56 78 of 0800-0432 (Kindertelefoon)",
])
def test_ordinary_words_and_links_are_not_mistaken_for_images(text):
    assert image_in(text) is None


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_format_in_every_encoding_is_refused_and_cut_out(kind, encoding):
    rng = random.Random(f"{kind}{encoding}")
    hidden = ENCODINGS[encoding](FORMATS[kind](), rng)
    text = f"Het begon dinsdag na de gymles. {hidden} Ik wil niet dat het verder gaat."
    assert image_in(text), (kind, encoding)
    kept = without_images(text)
    assert image_in(kept) is None
    assert "Het begon dinsdag na de gymles." in kept and "Ik wil niet dat het verder gaat." in kept


@pytest.mark.parametrize("text, kind", [
    ("<math><mglyph src='x.png'></mglyph></math>", "html_image"),
    ("<input type=image src=https://evil.example/x.png>", "html_image"),
    ("<INPUT  TYPE = 'Image' src=x>", "html_image"),
    ("<object data=x.swf>", "html_image"), ("<embed src=x>", "html_image"), ("<video poster=x>", "html_image"),
    ("<picture><source srcset='a.webp 1x'>", "html_image"), ("<svg><image href=x.png /></svg>", "html_image"),
    ("<div style=\"background:url(https://evil.example/x.png)\">", "css_url"),
    ("background: url(x.png)", "css_url"), ("image-set('a.png' 1x)", "css_url"),
    ("&lt;img src=x&gt;", "html_image"), ("&#60;img src=x&#62;", "html_image"), ("&#x3C;svg&#x3E;", "html_image"),
    ("&amp;lt;img src=x&amp;gt;", "html_image"), ("%3Cimg%20src%3Dx%3E", "html_image"),
    ("\\u003cimg src=x\\u003e", "html_image"),
    ("data:image/png;base64,AAAA", "data_uri"), ("DATA : text/plain , hello", "data_uri"),
    ("data&colon;image/png;base64,AAAA", "data_uri"), ("data%3Aimage%2Fpng%3Bbase64%2CAAAA", "data_uri"),
    ("ｄａｔａ：image/png;base64,AAAA", "data_uri"), ("da\u200bta:image/png;base64,AAAA", "data_uri"),
    ("![foto](https://evil.example/x.png)", "markdown_image"),
    ("![foto][1]\n\n[1]: https://evil.example/x.png", "markdown_image"),
    ("before \x00\x01 after", "binary"), ("\ufffd\ufffd", "binary"),
])
def test_markup_and_escaped_image_forms_are_refused(text, kind):
    assert image_in(text) == kind


def test_an_image_encoded_inside_another_encoding_is_refused():
    import base64
    inner = "data:image/png;base64," + base64.b64encode(png()).decode()
    assert image_in(base64.b64encode(inner.encode()).decode()) == "base64"
    assert image_in(inner.encode().hex()) == "hex"


def test_a_long_stretch_of_encoded_random_bytes_is_refused_without_a_magic_number():
    import base64
    blob = base64.b64encode(random.Random(1).randbytes(600)).decode()
    assert image_in("Kijk: " + " ".join(blob[i:i + 7] for i in range(0, len(blob), 7))) == "binary"
    assert image_in(random.Random(2).randbytes(400).hex()) == "binary"


def test_lengths_are_checked_before_anything_reads_the_text():
    with pytest.raises(ValidationFailed) as refused:
        refuse_images({"what_happened": "x" * 4001, "when": "gisteren"}, limits={"what_happened": 4000})
    assert list(refused.value.errors) == ["what_happened"]
    assert image_in("data:" + " " * MAX_CHARS) == "too_long"


def test_every_string_of_a_nested_body_is_checked_and_named_by_its_path():
    with pytest.raises(ImagesRefused) as refused:
        refuse_images({"content": {"rules": [{"title": {"nl": "ok", "en": "<img src=x>"}}]}})
    assert refused.value.field == "content.rules.0.title.en" and refused.value.status == 422
    with pytest.raises(ImagesRefused):
        refuse_images({"<svg>": "a key holds it"})


# Worst cases of every pattern and decoder, at the most a text may hold, and over it (256 KB).
WORST = {
    "data: and spaces": "data:" + " " * 300_000,
    "data: and semicolons": "data:image/png" + ";a" * 150_000,
    "![ repeated": "![" * 150_000,
    "![a]( unclosed": "![a](" * 60_000,
    "< repeated": "<" * 300_000,
    "<img without >": "<a " * 100_000,
    "% repeated": "%" * 300_000,
    "%4 repeated": "%4" * 150_000,
    "&# repeated": "&#" * 150_000,
    "&lt; repeated": "&lt;" * 75_000,
    "\\x repeated": "\\x" * 150_000,
    "= repeated": "=" * 300_000,
    "base64 run": "aB3+" * 75_000,
    "base64 chunks": "aB3+ " * 60_000,
    "hex run": "0f" * 150_000,
    "hex pairs": "0F " * 100_000,
    "digits": "7" * 300_000,
    "magic prefixes": "iVBORw0KGgo" * 27_000,
    "magic in hex": "89504e47" * 37_000,
    "url( repeated": "url(" * 75_000,
    "words": "een woord " * 30_000,
    "emoji": "😢" * 150_000,
}


@pytest.mark.parametrize("name", sorted(WORST))
def test_no_text_makes_the_check_slow(name):
    """Linear time: the worst input of each pattern, at MAX_CHARS and at 256 KB, in well under a second."""
    text = WORST[name]
    for size in (MAX_CHARS, len(text)):
        started = time.perf_counter()
        try:
            refuse_images({"what_happened": text[:size]}, limits={"what_happened": MAX_CHARS})
        except (ImagesRefused, ValidationFailed):
            pass
        without_images(text[:size])
        assert time.perf_counter() - started < 1.0, (name, size)


def test_the_core_module_imports_no_feature():
    """imagesafe sits below the features: they import it, it imports none of them."""
    features = {"acknowledgements", "cases", "conduct", "courses", "demo", "gradebook", "home", "jobs", "lti",
                "platforms", "reports", "api"}
    package = Path(__file__).parents[2] / "lti_tool" / "imagesafe"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] not in features, (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("lti_tool."):
                assert node.module.split(".")[1] not in features, (path.name, node.module)


# --- the property: any small file, any encoding, any chunking, inside any ordinary words --------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(FORMATS)), encoding=st.sampled_from(sorted(ENCODINGS)),
       rng=st.randoms(use_true_random=False), before=st.sampled_from(BENIGN), after=st.sampled_from(BENIGN),
       glue=st.sampled_from([" ", "\n", ": ", "\n\n", " — "]))
def test_any_image_hidden_anywhere_is_refused_and_the_words_come_back(kind, encoding, rng, before, after, glue):
    text = before + glue + ENCODINGS[encoding](FORMATS[kind](), rng) + glue + after
    assert image_in(text), (kind, encoding)
    kept = without_images(text)
    assert image_in(kept) is None
    words = [w for w in (before + " " + after).split() if w.isalpha() and w.islower() and len(w) >= 3]
    assert all(word in kept for word in words), (kept, words)
