"""The content checks on their own: what each kind must look like, which names pass and how
they are cleaned, and every refusal with its code. The API tests then prove that a refusal
stores nothing."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import ApplicationError
from apps.files.tests import samples
from apps.files.validation import (
    DOCUMENT_KINDS,
    DOCX,
    IMAGE_KINDS,
    JPEG,
    PDF,
    PNG,
    TXT,
    check_upload,
)

MB = 1024 * 1024


def check(name: str, content: bytes, *, kinds=DOCUMENT_KINDS, max_bytes=10 * MB):
    return check_upload(
        SimpleUploadedFile("ignored", content), kinds=kinds, max_bytes=max_bytes, name=name
    )


def refusal(name: str, content: bytes, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        check(name, content, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Contract.pdf", samples.pdf(), PDF),
        ("logo.png", samples.png(), PNG),
        ("photo.jpg", samples.jpeg(), JPEG),
        ("proposal.docx", samples.docx(), DOCX),
        ("notes.txt", samples.txt(), TXT),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_content(name, content, kind):
    checked = check(name, content)

    assert checked.kind is kind
    assert checked.name == name
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("scan", samples.pdf(), PDF),
        ("notes.bin", samples.txt(), TXT),
        ("Picture.JPEG", samples.jpeg(), JPEG),
    ],
)
def test_the_content_decides_the_kind_whatever_the_name_says(name, content, kind):
    assert check(name, content).kind is kind


def test_an_alias_of_the_extension_becomes_the_usual_one():
    assert check("Picture.JPEG", samples.jpeg()).name == "Picture.jpg"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("scan", "scan.pdf"),
        ("Scan.PDF", "Scan.pdf"),
        ("report.v2.final.pdf", "report.v2.final.pdf"),
        ('  Q3 <report>: "final"?  .pdf', "Q3 _report__ _final__.pdf"),
        ("Tabs\tand\nnewlines.pdf", "Tabsandnewlines.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("CON.pdf", "_CON.pdf"),
        (".pdf", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 200 + ".pdf"),
        ("R\u00e9sum\u00e9 \u2013 2025.pdf", "R\u00e9sum\u00e9 \u2013 2025.pdf"),
    ],
)
def test_names_are_cleaned_into_a_safe_display_name_with_the_sniffed_extension(sent, shown):
    assert check(sent, samples.pdf()).name == shown


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("README.md", "README.md.txt"),
        ("export.csv", "export.csv.txt"),
        ("Meeting 3.5 notes", "Meeting 3.5 notes.txt"),
    ],
)
def test_text_formats_keep_their_name_and_are_stored_as_text(sent, shown):
    assert check(sent, samples.txt()).name == shown


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "folder/report.pdf",
        "..%2F..%2Fetc%2Fpasswd",
        "..&#47;..&#47;report.pdf",
        "..",
        "report\x00.pdf",
    ],
)
def test_a_name_with_a_path_in_it_is_refused(name):
    error = refusal(name, samples.txt())

    assert error.code == "INVALID_FILE_NAME"
    assert error.status_code == 400
    assert error.details[0]["field"] == "file"


@pytest.mark.parametrize(
    "name",
    [
        "invoice.pdf.exe",
        "invoice.PDF.EXE",
        "invoice.pdf.exe. ",
        "photo.php.jpg",
        "report.html.pdf",
        "invoice\u202efdp.exe",
        "tool.sh",
        "macro.docm",
    ],
)
def test_an_executable_or_script_extension_anywhere_in_the_name_is_refused(name):
    error = refusal(name, samples.pdf())

    assert error.code == "INVALID_FILE_NAME"
    assert error.status_code == 400


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", samples.exe()),
        ("invoice.pdf", samples.png()),
        ("photo.png", samples.jpeg()),
        ("letter.docx", samples.zip_archive()),
        ("letter.docx", samples.docm()),
        ("notes.txt", b"{\\rtf1\\ansi Hello}"),
        ("notes.txt", "UTF-16 text".encode("utf-16")),
        ("notes.txt", "caf\xe9 in Latin-1".encode("latin-1")),
        ("notes.txt", b"text with a \x00 byte"),
        ("truncated.pdf", samples.pdf()[:-8]),
        ("truncated.png", samples.png()[:-12]),
        ("archive.zip", samples.zip_archive()),
    ],
)
def test_content_that_is_not_an_accepted_kind_is_refused(name, content):
    error = refusal(name, content)

    assert error.code == "INVALID_FILE_TYPE"
    assert error.status_code == 400


def _with_stream(payload: bytes) -> bytes:
    """A PDF whose page stream carries `payload`."""
    return samples.pdf().replace(b"(Hello)", b"(" + payload + b")")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", samples.pdf() + samples.zip_archive()),
        ("report.pdf", b"%PDF-1.4\n" + samples.html_page() + b"\n%%EOF\n"),
        ("report.pdf", _with_stream(b"<script>alert(1)</script>")),
        (
            "report.pdf",
            samples.pdf().replace(
                b"/Type /Catalog",
                b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            ),
        ),
        (
            "report.pdf",
            samples.pdf().replace(
                b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>"
            ),
        ),
        ("letter.docx", b"%PDF-1.4\n" + samples.docx()),
        ("letter.docx", samples.docx() + samples.html_page()),
        ("logo.png", samples.png() + samples.html_page()),
        ("logo.png", samples.png() + b"trailing bytes"),
        ("logo.png", samples.png() + samples.zip_archive()),
        ("photo.jpg", samples.jpeg() + samples.zip_archive()),
        ("photo.jpg", samples.jpeg()[:-2] + b"<svg onload=alert(1)>" + b"\xff\xd9"),
        ("notes.txt", b"<!DOCTYPE html><p>hi</p>"),
        ("notes.txt", b"\n  <svg xmlns='http://www.w3.org/2000/svg'></svg>"),
        ("notes.txt", b'<?xml version="1.0"?><x/>'),
        ("notes.txt", b"plain words first\n%PDF-1.4 and then a PDF"),
    ],
)
def test_polyglots_and_embedded_markup_are_refused_as_unsafe(name, content):
    error = refusal(name, content)

    assert error.code == "UNSAFE_FILE_CONTENT"
    assert error.status_code == 400


def test_markup_split_across_two_reads_is_still_found():
    padding = b"0" * (1024 * 1024 - 3)
    content = _with_stream(padding + b"<script>x</script>")

    assert refusal("big.pdf", content).code == "UNSAFE_FILE_CONTENT"


def test_text_may_mention_markup_after_its_start_since_it_is_only_ever_served_as_text():
    content = b"How to embed: write <script src='x.js'></script> in the page head.\n"

    assert check("howto.txt", content).kind is TXT


def test_an_empty_file_is_refused_as_empty():
    error = refusal("notes.txt", b"")

    assert (error.code, error.status_code) == ("EMPTY_FILE", 400)


def test_a_file_over_the_limit_is_refused_as_too_large():
    error = refusal("big.txt", b"a" * 1025, max_bytes=1024)

    assert (error.code, error.status_code) == ("FILE_TOO_LARGE", 413)
    assert check("edge.txt", b"a" * 1024, max_bytes=1024).size == 1024


def test_no_file_at_all_is_a_validation_error():
    with pytest.raises(ApplicationError) as caught:
        check_upload(None, kinds=DOCUMENT_KINDS, max_bytes=MB)

    assert caught.value.code == "VALIDATION_ERROR"


def test_other_apps_choose_their_kinds_images_only_for_avatars():
    assert check("me.png", samples.png(), kinds=IMAGE_KINDS).kind is PNG
    for name, content in (("cv.pdf", samples.pdf()), ("notes.txt", samples.txt())):
        assert refusal(name, content, kinds=IMAGE_KINDS).code == "INVALID_FILE_TYPE"


def test_a_file_object_is_read_from_the_start_and_left_rewound():
    upload = SimpleUploadedFile("notes.txt", samples.txt())
    upload.read(5)

    check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=MB)

    assert upload.read() == samples.txt()


def test_the_name_the_parser_kept_is_judged_before_the_stripped_one():
    upload = SimpleUploadedFile("passwd", samples.txt())
    upload.raw_name = "../../etc/passwd"

    with pytest.raises(ApplicationError) as caught:
        check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=MB)

    assert caught.value.code == "INVALID_FILE_NAME"
