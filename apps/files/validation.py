"""Check an upload by its content before anything is stored: the entry point every app that
takes files calls (documents here; avatars, chat images and product images later).

    checked = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.FILE_MAX_BYTES)
    checked.kind.content_type, checked.kind.extension, checked.name, checked.size, checked.sha256

Then store it with `apps.files.storage.stored_privately(...)`.

The content decides the kind; the name never does. What is refused, and with which code:

- no file: VALIDATION_ERROR; an empty one: EMPTY_FILE.
- larger than `max_bytes`: FILE_TOO_LARGE (413).
- a name with a path in it (`../../etc/passwd`, `a\\b`, `%2F`), or an executable or script
  extension anywhere after the first dot (`invoice.pdf.exe`, `photo.php.jpg`): INVALID_FILE_NAME.
- content that is none of the kinds asked for (including a text file that `filetype` recognises
  as something else, such as RTF, or, since the match is only two bytes, text starting with
  "BM" or "MZ"), a container that is not what it claims (a ZIP without a Word document in it, a
  DOCM, a PDF without its `%%EOF`, a PNG cut short), and a known extension that disagrees with
  the content (PNG bytes named `report.pdf`): INVALID_FILE_TYPE.
- polyglots, files that another program would read as a second format: a ZIP archive inside or
  after anything but a DOCX, a DOCX with bytes before or after its archive, data after a PNG's
  end, a PDF header in the first kilobyte of anything but a PDF, HTML or script markup
  (`<script`, `<html>`, `<svg>`, `<iframe`, `<?php`, `javascript:` ...) anywhere in a PDF or an
  image, PDF JavaScript or launch actions (`/JavaScript`, `/Launch`), and text that starts as
  HTML, SVG or XML: UNSAFE_FILE_CONTENT. A text file may mention `<script>` further down: it is
  only ever served as `text/plain` with `nosniff`, as an attachment.

The byte scans are best effort: a PDF name spelled with `#xx` escapes, or hidden in a compressed
object stream, is not seen. The reading is sequential and in memory chunks, so a file is never
extracted or written anywhere before it passes.
"""

import codecs
import hashlib
import html
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

import filetype
from rest_framework import status

from apps.core.errors import ApplicationError, ErrorCode

EMPTY_FILE = "EMPTY_FILE"
INVALID_FILE_NAME = "INVALID_FILE_NAME"
UNSAFE_FILE_CONTENT = "UNSAFE_FILE_CONTENT"


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    # The extension stored files and display names get; `aliases` are other spellings a name
    # may carry for the same content.
    extension: str
    aliases: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.aliases)


PDF = Kind("PDF", "application/pdf", "pdf")
PNG = Kind("PNG", "image/png", "png")
JPEG = Kind("JPG", "image/jpeg", "jpg", ("jpeg", "jpe", "jfif"))
GIF = Kind("GIF", "image/gif", "gif")
WEBP = Kind("WEBP", "image/webp", "webp")
DOCX = Kind(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
)
TXT = Kind("TXT", "text/plain", "txt", ("text",))

DOCUMENT_KINDS = (PDF, PNG, JPEG, DOCX, TXT)
IMAGE_KINDS = (PNG, JPEG, WEBP, GIF)

# Executables, scripts, markup and macro documents: refused anywhere in a name, since some
# servers and mail filters act on any of a name's extensions, and Windows on the last.
DANGEROUS_EXTENSIONS = frozenset(
    # One list of words reads better than a hundred quoted strings.
    """
    exe com bat cmd scr pif msi msp mst dll cpl sys drv ocx jar class js jse mjs cjs vbs vbe
    wsf wsh wsc ps1 psm1 psd1 sh bash zsh csh ksh fish py pyc pyw pl rb php php3 php4 php5
    php7 phtml phar asp aspx ashx asmx cer jsp jspx cfm cgi html htm xhtml shtml xht svg svgz
    xml xsl xslt hta htaccess lnk url reg inf scf app dmg pkg deb rpm apk ipa iso img vhd vhdx
    docm dotm xlsm xltm xlam pptm potm ppam sldm swf application gadget msc
    """.split()  # noqa: SIM905
)
# Extensions that name a binary format: one that disagrees with the content is a mistake or a
# trick. Anything else after a dot ("Q3.final", "notes.v2", and text formats such as ".md" or
# ".csv", whose content is plain text) is kept as part of the name.
KNOWN_EXTENSIONS = frozenset(
    """
    pdf png jpg jpeg jpe jfif gif webp docx txt text doc dot dotx rtf odt xls xlsx xlt ods ppt
    pptx odp bmp tif tiff ico heic heif avif psd zip rar 7z gz tgz bz2 xz tar mp3 mp4 m4a m4v
    mov avi mkv wav ogg flac webm epub
    """.split()  # noqa: SIM905
)
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10))]
    + [f"LPT{n}" for n in range(1, 10)]
)
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
_UNSAFE_NAME_CHARACTERS = re.compile(r'[<>:"/\\|?*]')
_MAX_STEM = 200

_CHUNK = 1024 * 1024
_HEAD = 8192
# Enough for a ZIP's end record and the longest comment it may carry.
_TAIL = 22 + 65535
_OVERLAP = 32
_MARKUP = re.compile(
    rb"<script|<html[\s>]|<!doctype\s+html|<iframe|<svg[\s>]|<object[\s>]|<embed[\s>]"
    rb"|javascript:|<\?php",
    re.IGNORECASE,
)
_MARKUP_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|body|svg|\?xml|script|iframe)", re.IGNORECASE
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch)(?![A-Za-z0-9])")
_PNG_END = b"IEND\xaeB`\x82"
_ZIP_END = b"PK\x05\x06"
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CONTENT_TYPES_MAX = 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    kind: Kind
    name: str  # the sanitized display name, ending in the kind's extension
    size: int
    sha256: str


@dataclass
class _Facts:
    head: bytes = b""
    tail: bytes = b""
    sha256: str = ""
    has_nul: bool = False
    utf8: bool = True
    markup: bytes | None = None
    pdf_active: bytes | None = None


def _refusal(message: str, *, field: str, code: str = ErrorCode.INVALID_FILE_TYPE):
    return ApplicationError(message, code=code, details=[{"field": field, "message": message}])


def check_upload(
    upload, *, kinds: tuple[Kind, ...], max_bytes: int, field: str = "file", name: str | None = None
) -> CheckedUpload:
    """Answer what the upload is, or raise the refusal (see the module docstring).

    `name` is the name to judge; without it, the name the client sent as it arrived
    (`upload.raw_name`, kept by `apps.files.parsers.UploadParser` before Django strips any
    path from it), or `upload.name`. The upload is left rewound.
    """
    if upload is None or not hasattr(upload, "read"):
        raise ApplicationError(
            "Attach a file.", details=[{"field": field, "message": "This field is required."}]
        )
    if name is None:
        name = getattr(upload, "raw_name", None) or upload.name or ""
    stem, extension = _split_name(name, field)
    if not upload.size:
        raise _refusal("The file is empty.", field=field, code=EMPTY_FILE)
    if upload.size > max_bytes:
        message = f"The file is larger than the {_megabytes(max_bytes)} allowed."
        raise ApplicationError(
            message,
            code=ErrorCode.FILE_TOO_LARGE,
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            details=[{"field": field, "message": message}],
        )
    facts = _scan(upload, decode_text=TXT in kinds)
    kind = _sniff(facts, kinds, field)
    _refuse_polyglots(upload, facts, kind, field)
    _check_structure(upload, facts, kind, field)
    display = _display_name(stem, extension, kind, field)
    upload.seek(0)
    return CheckedUpload(kind=kind, name=display, size=upload.size, sha256=facts.sha256)


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"


# --- The name -----------------------------------------------------------------------------------


def _split_name(raw: str, field: str) -> tuple[str, str]:
    """Refuse paths and dangerous extensions; answer (stem, extension or "")."""
    # Django's parser unescapes HTML entities in names, so "..&#47;" is a path too.
    name = html.unescape(raw)
    if (
        any(sep in text for text in (name, unquote(name)) for sep in "/\\")
        or "\x00" in name
        or name.strip() in {".", ".."}
    ):
        message = "The file name must be a plain name, without folders or '..'."
        raise _refusal(message, field=field, code=INVALID_FILE_NAME)
    # Invisible and control characters go first: a right-to-left override can make
    # "invoice\u202efdp.exe" read as "invoiceexe.pdf".
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    # Windows drops trailing dots and spaces, so "invoice.exe. " is "invoice.exe".
    name = name.strip().rstrip(". ")
    segments = name.split(".")
    for segment in segments[1:]:
        if segment.strip().lower() in DANGEROUS_EXTENSIONS:
            message = (
                f"Files named with an executable or script extension (.{segment.strip()}) "
                "are not accepted."
            )
            raise _refusal(message, field=field, code=INVALID_FILE_NAME)
    last = segments[-1] if len(segments) > 1 else ""
    if _EXTENSION.fullmatch(last) and not last.isdigit():
        return ".".join(segments[:-1]), last
    return name, ""


def _display_name(stem: str, extension: str, kind: Kind, field: str) -> str:
    if extension and extension.lower() not in kind.extensions:
        if extension.lower() in KNOWN_EXTENSIONS:
            message = f"The content is {kind.label}, but the name says .{extension}."
            raise _refusal(message, field=field)
        stem = f"{stem}.{extension}"
    stem = _UNSAFE_NAME_CHARACTERS.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:_MAX_STEM].strip(" .")
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return f"{stem or 'file'}.{kind.extension}"


# --- The content --------------------------------------------------------------------------------


def _scan(upload, *, decode_text: bool) -> _Facts:
    """One pass over the bytes: hash, head and tail, and what the refusals look for."""
    facts = _Facts()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict") if decode_text else None
    carry = b""
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        digest.update(chunk)
        if len(facts.head) < _HEAD:
            facts.head += chunk[: _HEAD - len(facts.head)]
        facts.tail = (facts.tail + chunk)[-_TAIL:]
        facts.has_nul = facts.has_nul or b"\x00" in chunk
        if decoder is not None and facts.utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                facts.utf8 = False
        window = carry + chunk
        if facts.markup is None and (found := _MARKUP.search(window)):
            facts.markup = found.group()
        if facts.pdf_active is None and (found := _PDF_ACTIVE.search(window)):
            facts.pdf_active = found.group()
        carry = window[-_OVERLAP:]
    if decoder is not None and facts.utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            facts.utf8 = False
    upload.seek(0)
    facts.sha256 = digest.hexdigest()
    return facts


def _sniff(facts: _Facts, kinds: tuple[Kind, ...], field: str) -> Kind:
    accepted = ", ".join(kind.label for kind in kinds)
    if DOCX in kinds and facts.head.startswith(b"PK\x03\x04"):
        # Any ZIP may be a Word document; `_check_docx` decides from its directory.
        return DOCX
    guess = filetype.guess(facts.head)
    if guess is None:
        if TXT in kinds and facts.utf8 and not facts.has_nul:
            return TXT
        message = f"This kind of file is not accepted. Accepted: {accepted}."
        raise _refusal(message, field=field)
    for kind in kinds:
        if kind.content_type == guess.mime:
            return kind
    message = (
        f"This is a file of type {guess.extension.upper()}, which is not accepted. "
        f"Accepted: {accepted}."
    )
    raise _refusal(message, field=field)


def _refuse_polyglots(upload, facts: _Facts, kind: Kind, field: str) -> None:
    def unsafe(what: str):
        message = (
            f"This {kind.label} file {what}, so other programs could read it as something else."
        )
        return _refusal(message, field=field, code=UNSAFE_FILE_CONTENT)

    if kind is not DOCX and _holds_a_zip(upload):
        raise unsafe("also contains a ZIP archive")
    if kind is not PDF and b"%PDF-" in facts.head[:1024]:
        raise unsafe("contains a PDF header")
    if kind is TXT:
        if _MARKUP_START.match(facts.head):
            raise unsafe("starts as HTML, SVG or XML")
        return
    if kind is not DOCX and facts.markup is not None:
        raise unsafe(f"contains HTML or script ({facts.markup.decode('latin-1')!r})")
    if kind is PDF and facts.pdf_active is not None:
        raise unsafe(f"runs actions when opened ({facts.pdf_active.decode('latin-1')})")
    if kind is PNG and _PNG_END in facts.tail and not facts.tail.endswith(_PNG_END):
        raise unsafe("carries data after the end of the image")


def _check_structure(upload, facts: _Facts, kind: Kind, field: str) -> None:
    if kind is PDF and b"%%EOF" not in facts.tail[-1024:]:
        raise _refusal("This PDF is incomplete: it has no end-of-file marker.", field=field)
    if kind is PNG and not facts.tail.endswith(_PNG_END):
        raise _refusal("This PNG is incomplete: it has no end chunk.", field=field)
    if kind is DOCX:
        _check_docx(upload, facts, field)


def _holds_a_zip(upload) -> bool:
    try:
        if not zipfile.is_zipfile(upload):
            return False
        # A stray end-of-archive signature is not an archive; a readable directory is.
        with zipfile.ZipFile(upload) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def _ends_with_the_zip(tail: bytes) -> bool:
    """True when the archive's end record, with its comment, is the last thing in the file."""
    at = tail.rfind(_ZIP_END)
    if at < 0 or len(tail) - at < 22:
        return False
    comment_length = int.from_bytes(tail[at + 20 : at + 22], "little")
    return at + 22 + comment_length == len(tail)


def _check_docx(upload, facts: _Facts, field: str) -> None:
    """A Word document is a ZIP that starts at the first byte, ends at the last, holds
    `[Content_Types].xml` naming a (macro-free) Word main part, and `word/document.xml`.
    Only the directory and the small content-types part are read, in memory."""
    not_docx = _refusal("This is a ZIP archive, not a Word (DOCX) document.", field=field)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise not_docx
            if min(entry.header_offset for entry in entries) != 0 or not _ends_with_the_zip(
                facts.tail
            ):
                message = "This DOCX has other data before or after its archive."
                raise _refusal(message, field=field, code=UNSAFE_FILE_CONTENT)
            if any(_escapes(entry.filename) for entry in entries):
                raise not_docx
            types = archive.getinfo("[Content_Types].xml")
            if types.file_size > _CONTENT_TYPES_MAX:
                raise not_docx
            content_types = archive.read(types)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        raise not_docx from None
    finally:
        upload.seek(0)
    if _DOCX_MAIN not in content_types or "word/vbaProject.bin" in names:
        raise not_docx


def _escapes(entry_name: str) -> bool:
    parts = entry_name.replace("\\", "/").split("/")
    return entry_name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]
