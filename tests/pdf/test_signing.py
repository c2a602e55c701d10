"""Signed publication: archives carry the bureau's PAdES signature; anyone can check a PDF on the verify page."""

import hashlib
import io
import json
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from reports.models import Report, ReportArchive, ReportRender, SigningCertificate
from reports.pdf import services, signing
from reports.pdf.archive import media_path, report_archive_create

pytestmark = pytest.mark.django_db

PDFSIG = "/usr/bin/pdfsig"
_credentials: list[signing.Credentials] = []


@pytest.fixture
def certificate(demo) -> SigningCertificate:
    """The development certificate, its RSA key generated once per run."""
    if not _credentials:
        _credentials.append(signing.dev_credentials())
    return signing.signing_certificate_create(credentials=_credentials[0], development=True)


def publish(report: Report) -> Report:
    """The seed is a draft in the demo: published here, so that its own PDF is what gets archived."""
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(state="published", approved_at=now, published_at=now)
    return Report.objects.select_related("department", "round").get(pk=report.pk)


@pytest.fixture
def signed_archive(demo, certificate, seed_pdf) -> ReportArchive:
    """The seed, published, its rendered PDF signed and archived as approval does."""
    pdf = signing.pdf_sign(seed_pdf.read_bytes(), certificate)
    return report_archive_create(report=publish(demo), pdf=pdf, certificate=certificate, signed_at=timezone.now())


def archived_bytes(archive: ReportArchive) -> bytes:
    return media_path(archive.file.name).read_bytes()


def tampered(data: bytes) -> bytes:
    """One byte inside the first stream (a page's content) changed: the PDF still opens."""
    at = data.index(b"stream\n") + 100
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def pyhanko_status(data: bytes, certificate: SigningCertificate):
    (embedded,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    roots = signing._asn1_certs(certificate)
    return validate_pdf_signature(embedded, ValidationContext(trust_roots=roots, allow_fetching=False))


# ---------------------------------------------------------------- the certificate


def test_make_dev_certificate_is_idempotent_and_keeps_the_key_encrypted(demo):
    call_command("make_dev_certificate", stdout=io.StringIO())
    call_command("make_dev_certificate", stdout=io.StringIO())
    (cert,) = SigningCertificate.objects.all()
    assert cert.active and cert.development and cert.subject == "XX区财政局（开发用证书）"
    assert "ENCRYPTED PRIVATE KEY" in cert.key_pem
    with pytest.raises(TypeError):  # no password: refused
        serialization.load_pem_private_key(cert.key_pem.encode(), None)


def test_an_uploaded_active_certificate_replaces_the_active_one(demo, certificate):
    other = signing.signing_certificate_create(credentials=signing.dev_credentials(), name="正式证书")
    certificate.refresh_from_db()
    assert other.active and not certificate.active
    assert signing.active_certificate() == other


# ---------------------------------------------------------------- signing the archive


def test_the_approval_archive_is_signed_and_pdfsig_and_pyhanko_say_valid(demo, certificate):
    report = Report.objects.get(department__code="204001")  # approved in the demo
    render = services.render_run(ReportRender.objects.create(report=report, purpose="archive").pk)
    assert render.status == "done", render.error
    archive = ReportArchive.objects.get(report=report)
    data = archived_bytes(archive)
    assert archive.certificate == certificate and archive.signed_at is not None
    assert hashlib.sha256(data).hexdigest() == archive.sha256  # the hash is of the signed file

    out = subprocess.run([PDFSIG, str(media_path(archive.file.name))], capture_output=True, text=True, check=True)
    assert "Signer Certificate Common Name: XX区财政局（开发用证书）" in out.stdout
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout
    assert "Total document signed" in out.stdout
    # Self-signed: poppler knows no issuer for it; the signature itself is what it checks.
    assert "Certificate Validation: Certificate issuer isn't Trusted." in out.stdout

    status = pyhanko_status(data, certificate)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"


def test_pdfsig_and_pyhanko_reject_a_tampered_copy(signed_archive, certificate, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(tampered(archived_bytes(signed_archive)))
    out = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True)
    assert "Signature Validation: Digest Mismatch." in out.stdout, out.stdout
    status = pyhanko_status(bad.read_bytes(), certificate)
    assert not status.intact and not status.bottom_line


def test_without_a_certificate_the_archive_is_kept_unsigned_and_the_admin_says_so(demo, client, personas):
    report = Report.objects.get(department__code="204001")
    render = services.render_run(ReportRender.objects.create(report=report, purpose="archive").pk)
    assert render.status == "done", render.error
    archive = ReportArchive.objects.get(report=report)
    assert archive.certificate is None and archive.signed_at is None
    out = subprocess.run([PDFSIG, str(media_path(archive.file.name))], capture_output=True, text=True)
    assert "does not contain any signatures" in out.stdout + out.stderr
    client.force_login(personas["admin"])
    page = client.get(reverse("admin:reports_reportarchive_changelist")).content.decode()
    assert "未签章" in page and "没有启用的签章证书" in page


# ---------------------------------------------------------------- the verify page

VERIFY = "public:verify"


def post_pdf(client, data: bytes, name: str = "report.pdf"):
    return client.post(reverse(VERIFY), {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_the_verify_page_confirms_the_genuine_signed_archive(client, signed_archive):
    response = post_pdf(client, archived_bytes(signed_archive))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"这是 {signed_archive.report.department.name} 2021 年度已审核通过并签章的报告" in html
    assert "XX区财政局（开发用证书）" in html and "签章时间" in html
    assert "签名无效" not in html and "不是本系统发布的文件" not in html


def test_the_verify_page_refuses_a_tampered_copy(client, signed_archive):
    html = post_pdf(client, tampered(archived_bytes(signed_archive))).content.decode()
    assert "签名无效或文件已被修改" in html
    assert "已审核通过并签章的报告（" not in html


def test_a_copy_with_an_appended_update_is_not_the_signed_version(client, signed_archive):
    data = archived_bytes(signed_archive) + b"\n% edited later\n"
    html = post_pdf(client, data).content.decode()
    assert "签名无效或文件已被修改" in html


def test_a_signed_archive_that_a_later_one_replaced_is_not_the_approved_version(
    client, signed_archive, certificate, seed_pdf
):
    first = archived_bytes(signed_archive)
    signing_again = signing.pdf_sign(seed_pdf.read_bytes() + b"% approved again\n", certificate)
    report_archive_create(report=signed_archive.report, pdf=signing_again, certificate=certificate)
    html = post_pdf(client, first).content.decode()
    assert "已不是当前审核通过的版本" in html and "已审核通过并签章的报告（" not in html


def test_a_signed_archive_of_a_reopened_report_is_not_the_approved_version(client, signed_archive):
    Report.objects.filter(pk=signed_archive.report_id).update(state="returned")
    html = post_pdf(client, archived_bytes(signed_archive)).content.decode()
    assert "已不是当前审核通过的版本" in html


def test_a_pdf_this_system_never_signed_is_unknown(client, seed_pdf, signed_archive):
    html = post_pdf(client, seed_pdf.read_bytes()).content.decode()  # the same report, unsigned
    assert "不是本系统发布的文件" in html and "签名无效" not in html


def test_a_non_pdf_upload_is_refused_at_the_field(client, demo):
    response = post_pdf(client, b"MZ\x90\x00 not a pdf", name="report.pdf")
    assert response.status_code == 200
    form = response.context["form"]
    assert "请上传 PDF 文件" in form.errors["file"][0]
    assert "不是本系统发布的文件" not in response.content.decode()


def test_a_post_without_a_file_is_refused_at_the_field(client, demo):
    response = client.post(reverse(VERIFY), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert response.context["verdict"] is None


def test_an_oversize_upload_is_refused_at_the_field(client, demo, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = post_pdf(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert "文件过大" in response.context["form"].errors["file"][0]


def test_the_verify_page_is_csrf_protected(demo):
    response = Client(enforce_csrf_checks=True).post(reverse(VERIFY), {})
    assert response.status_code == 403


@pytest.mark.parametrize("which, queries", [("genuine", 1), ("tampered", 2), ("form", 0)])
def test_the_verify_page_queries_are_fixed(client, signed_archive, django_assert_num_queries, which, queries):
    data = archived_bytes(signed_archive)
    with django_assert_num_queries(queries):
        if which == "form":
            response = client.get(reverse(VERIFY))
        else:
            response = post_pdf(client, data if which == "genuine" else tampered(data))
    assert response.status_code == 200


# ---------------------------------------------------------------- the public page


def test_the_public_page_offers_the_signed_pdf_and_the_json_with_their_sha256(client, signed_archive):
    html = client.get(reverse("public:report", args=[signed_archive.report_id])).content.decode()
    assert signed_archive.sha256 in html
    assert reverse("pdf:archive_latest", args=[signed_archive.report_id]) in html
    json_url = reverse("public:report_json", args=[signed_archive.report_id])
    assert json_url in html and reverse(VERIFY) in html
    document = client.get(json_url)
    assert document.status_code == 200 and document["Content-Type"].startswith("application/json")
    body = document.content
    assert hashlib.sha256(body).hexdigest() in html
    parsed = json.loads(body)
    assert parsed["format"] == "perfeval.report/1" and parsed["year"] == 2021
    pdf = client.get(reverse("pdf:archive_latest", args=[signed_archive.report_id]))
    assert hashlib.sha256(pdf.content).hexdigest() == signed_archive.sha256


def test_the_interchange_json_of_an_unpublished_report_is_a_404(client, demo):
    report = Report.objects.get(department__code="204001")  # approved, not published
    assert client.get(reverse("public:report_json", args=[report.pk])).status_code == 404


def test_an_unsigned_archive_is_said_to_be_unsigned_on_the_public_page(client, demo, seed_pdf):
    archive = report_archive_create(report=publish(demo), pdf=seed_pdf.read_bytes())
    html = client.get(reverse("public:report", args=[demo.pk])).content.decode()
    assert archive.sha256 in html and "未签章" in html


# ---------------------------------------------------------------- the admin's upload


def p12(key, cert, password: bytes = b"secret") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"bureau", key, cert, None, serialization.BestAvailableEncryption(password)
    )


def admin_add(client, personas, upload: bytes, name: str, password: str = "secret"):
    client.force_login(personas["admin"])
    return client.post(
        reverse("admin:reports_signingcertificate_add"),
        {
            "name": "区财政局正式证书",
            "active": "on",
            "password": password,
            "upload": SimpleUploadedFile(name, upload, content_type="application/octet-stream"),
        },
    )


def test_the_admin_uploads_a_pkcs12_certificate_and_it_becomes_the_active_one(client, personas, certificate, seed_pdf):
    creds = signing.dev_credentials()
    response = admin_add(client, personas, p12(creds.key, creds.certificates[0]), "bureau.p12")
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = SigningCertificate.objects.get(name="区财政局正式证书")
    assert new.active and new.fingerprint == signing.fingerprint(creds.certificates[0])
    certificate.refresh_from_db()
    assert not certificate.active
    # The stored key signs.
    pdf = signing.pdf_sign(seed_pdf.read_bytes(), new)
    assert pyhanko_status(pdf, new).intact


@pytest.mark.parametrize(
    "case, message",
    [
        ("garbage", "无法读取该文件"),
        ("wrong password", "无法读取该文件"),
        ("key does not match", "私钥与证书不匹配"),
        ("no key", "文件中没有私钥"),
    ],
)
def test_the_admin_refuses_an_unusable_certificate_at_the_field(client, personas, demo, case, message):
    creds = signing.dev_credentials()
    cert_pem = creds.certificates[0].public_bytes(serialization.Encoding.PEM)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    uploads = {
        "garbage": (b"\x00\x01 this is no certificate", "secret"),
        "wrong password": (p12(creds.key, creds.certificates[0]), "not-the-password"),
        "key does not match": (
            other_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            + cert_pem,
            "",
        ),
        "no key": (cert_pem, ""),
    }
    data, password = uploads[case]
    response = admin_add(client, personas, data, "bureau.pem", password=password)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["upload"])
    assert not SigningCertificate.objects.exists()


def test_a_key_stored_under_another_secret_key_fails_the_archive_with_the_reason(demo, certificate, settings):
    settings.SECRET_KEY = "another-secret-key-than-the-one-the-key-was-stored-with"
    report = Report.objects.get(department__code="204001")
    render = services.render_run(ReportRender.objects.create(report=report, purpose="archive").pk)
    assert render.status == "failed" and "请重新上传证书" in render.error
    assert not ReportArchive.objects.filter(report=report).exists()
    assert Report.objects.get(pk=report.pk).state == "approved"  # the approval stands


def test_the_admin_refuses_an_oversize_file_and_an_encrypted_key_without_its_password(client, personas, demo):
    creds = signing.dev_credentials()
    response = admin_add(client, personas, b"0" * (signing.UPLOAD_MAX_BYTES + 1), "big.p12")
    assert "文件过大" in " ".join(response.context["adminform"].form.errors["upload"])
    encrypted = creds.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ) + creds.certificates[0].public_bytes(serialization.Encoding.PEM)
    response = admin_add(client, personas, encrypted, "bureau.pem", password="")
    assert "私钥已加密：请填写密码" in " ".join(response.context["adminform"].form.errors["upload"])
    response = admin_add(client, personas, encrypted, "bureau.pem", password="pw")
    assert response.status_code == 302
    assert SigningCertificate.objects.get().fingerprint == signing.fingerprint(creds.certificates[0])
