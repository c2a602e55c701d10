"""The bureau's signature on archived PDFs (PAdES B-B, pyHanko), and the check anyone can run.

- A certificate and its key come from the admin's upload (PKCS#12 or PEM), parsed and
  checked here with `cryptography`, or from `manage.py make_dev_certificate` (self-signed).
  The key is stored encrypted with a password derived from SECRET_KEY: a database dump
  alone does not give it away, and a new SECRET_KEY means uploading the certificate again.
- `pdf_sign` adds one invisible signature field to the rendered PDF (an incremental update).
- `pdf_verify` answers whether uploaded bytes are a signed archive: the SHA-256 must be a
  stored signed archive's and pyHanko must validate its signature against the stored
  certificate, covering the whole file.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from reports.models import Report, ReportArchive, SigningCertificate

FIELD_NAME = "perfeval-archive"
UPLOAD_MAX_BYTES = 64 * 1024  # a key and a chain of a few certificates are a few KB
DEV_COMMON_NAME = "XX区财政局（开发用证书）"
DEV_ORGANIZATION = "XX区财政局"
PEM_KEY = re.compile(
    rb"-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----.+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----", re.S
)


class SigningError(Exception):
    pass


@dataclass
class Credentials:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificates: list[x509.Certificate]  # the signer's first, then its chain


# ---------------------------------------------------------------- reading an upload


def credentials_load(data: bytes, password: str = "") -> Credentials:
    """A PKCS#12 file, or PEM with the key and the certificate; ValidationError (Chinese) if not usable."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValidationError(_("文件过大：证书文件最大 %(kb)d KB。") % {"kb": UPLOAD_MAX_BYTES // 1024})
    secret = password.encode() or None
    if b"-----BEGIN" in data:
        key, certs = _load_pem(data, secret)
    else:
        try:
            key, cert, chain = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise ValidationError(
                _("无法读取该文件：请上传 PKCS#12（.p12/.pfx）文件或含私钥和证书的 PEM 文件，并核对密码。")
            ) from None
        certs = ([cert] if cert else []) + list(chain or [])
    if key is None:
        raise ValidationError(_("文件中没有私钥。"))
    if not certs:
        raise ValidationError(_("文件中没有证书。"))
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError(_("不支持该类型的私钥：请使用 RSA 或 ECDSA 密钥。"))
    signer = _matching(key, certs)
    if signer is None:
        raise ValidationError(_("私钥与证书不匹配。"))
    if signer.not_valid_after_utc < timezone.now():
        raise ValidationError(_("证书已于 %(date)s 过期。") % {"date": signer.not_valid_after_utc.date().isoformat()})
    return Credentials(key=key, certificates=[signer, *(c for c in certs if c is not signer)])


def _load_pem(data: bytes, secret: bytes | None):
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    found = PEM_KEY.search(data)
    if found is None:
        return None, certs
    try:
        key = serialization.load_pem_private_key(found.group(0), secret)
    except TypeError:
        raise ValidationError(_("私钥已加密：请填写密码。")) from None
    except ValueError:
        raise ValidationError(_("无法读取私钥：密码不正确或文件已损坏。")) from None
    return key, certs


def _public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _matching(key, certs: list[x509.Certificate]) -> x509.Certificate | None:
    mine = _public(key.public_key())
    return next((c for c in certs if _public(c.public_key()) == mine), None)


# ---------------------------------------------------------------- storing


def _key_password() -> bytes:
    # Derived, not SECRET_KEY itself: the key file's password reveals nothing else.
    return hmac.new(settings.SECRET_KEY.encode(), b"perfeval signing key", hashlib.sha256).hexdigest().encode()


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def subject_text(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


@transaction.atomic
def signing_certificate_create(
    *, credentials: Credentials, name: str = "", active: bool = True, development: bool = False, actor=None
) -> SigningCertificate:
    """Store the certificate with its key encrypted; an active one replaces the active one."""
    signer = credentials.certificates[0]
    if active:
        SigningCertificate.objects.select_for_update().filter(active=True).update(active=False)
    return SigningCertificate.objects.create(
        name=name,
        subject=subject_text(signer),
        fingerprint=fingerprint(signer),
        certificate_pem="".join(
            c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in credentials.certificates
        ),
        key_pem=credentials.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_key_password()),
        ).decode("ascii"),
        not_before=signer.not_valid_before_utc,
        not_after=signer.not_valid_after_utc,
        development=development,
        active=active,
        created_by=actor,
    )


@transaction.atomic
def signing_certificate_activate(*, certificate: SigningCertificate) -> None:
    SigningCertificate.objects.select_for_update().filter(active=True).exclude(pk=certificate.pk).update(active=False)
    SigningCertificate.objects.filter(pk=certificate.pk).update(active=True)


def dev_credentials() -> Credentials:
    """A self-signed certificate for development and tests (RSA 2048, ten years)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
        ]
    )
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Credentials(key=key, certificates=[cert])


# ---------------------------------------------------------------- signing


def active_certificate() -> SigningCertificate | None:
    return SigningCertificate.objects.filter(active=True).first()


def _asn1_certs(certificate: SigningCertificate) -> list[asn1_x509.Certificate]:
    certs = x509.load_pem_x509_certificates(certificate.certificate_pem.encode("ascii"))
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]


def _signer(certificate: SigningCertificate) -> signers.SimpleSigner:
    try:
        # Checked when it was uploaded or made; OpenSSL's RSA check costs ~0.2 s a load.
        key = serialization.load_pem_private_key(
            certificate.key_pem.encode("ascii"), _key_password(), unsafe_skip_rsa_key_validation=True
        )
    except ValueError:
        # Encrypted under another SECRET_KEY: the certificate must be uploaded again.
        raise SigningError(
            _("无法解开签章证书“%(name)s”的私钥（SECRET_KEY 已更换？），请重新上传证书。") % {"name": certificate}
        ) from None
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    certs = _asn1_certs(certificate)
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


def pdf_sign(pdf: bytes, certificate: SigningCertificate) -> bytes:
    """The PDF with the bureau's PAdES signature (baseline B-B) in an invisible field."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="审核通过归档",
        name=certificate.subject,
    )
    signer = _signer(certificate)
    out = BytesIO()
    signers.PdfSigner(meta, signer, new_field_spec=fields.SigFieldSpec(FIELD_NAME)).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)), output=out, bytes_reserved=_reserved(signer)
    )
    return out.getvalue()


def _reserved(signer: signers.SimpleSigner) -> int:
    """Room for the signature (hex digits): its certificates, the signature value and 2 KB for the rest.

    Without it pyHanko signs a dry run first to measure, loading the key once more (~0.2 s).
    """
    certs = sum(len(c.dump()) for c in signer.cert_registry)
    return 2 * (certs + signer.signing_key.bit_size // 8 * 2 + 2048)


# ---------------------------------------------------------------- verifying


@dataclass
class Verdict:
    status: str  # "valid", "superseded" (ours, but no longer the approved version), "invalid", "unknown"
    archive: ReportArchive | None = None
    signed_at: datetime.datetime | None = None


def pdf_verify(data: bytes) -> Verdict:
    """Is this the signed archive of an approved report? One query, two when no archive has its hash."""
    digest = hashlib.sha256(data).hexdigest()
    latest = ReportArchive.objects.filter(report=OuterRef("report")).values("report").annotate(v=Max("version"))
    archive = (
        ReportArchive.objects.filter(sha256=digest, certificate__isnull=False)
        .select_related("report__department", "report__round", "certificate")
        .annotate(latest_version=Subquery(latest.values("v")))
        .order_by("-version")
        .first()
    )
    if archive is None:
        return Verdict(status="invalid" if _names_our_certificate(data) else "unknown")
    signed_at = _validated_signing_time(data, archive.certificate)
    if signed_at is None:
        return Verdict(status="invalid", archive=archive)
    current = archive.report.state in Report.FINAL_STATES and archive.version == archive.latest_version
    return Verdict(status="valid" if current else "superseded", archive=archive, signed_at=signed_at)


def _validated_signing_time(data: bytes, certificate: SigningCertificate) -> datetime.datetime | None:
    """The signing time if the file holds exactly our one signature, intact, trusted and covering it all."""
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
        if len(signatures) != 1:
            return None
        context = ValidationContext(trust_roots=_asn1_certs(certificate), allow_fetching=False)
        status = validate_pdf_signature(signatures[0], signer_validation_context=context)
    except Exception:
        return None  # a file pyHanko cannot read is no signed archive
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not (status.bottom_line and whole):
        return None
    return status.signer_reported_dt


def _names_our_certificate(data: bytes) -> bool:
    """Does the file carry a signature by one of our certificates (then it was ours, and changed)?

    A signature's /Contents is a hex string written directly in the file (never in a
    compressed stream), so the signer's certificate shows up as its DER in hex even
    when the rest of the file no longer parses.
    """
    lowered = data.lower()
    for pem in SigningCertificate.objects.values_list("certificate_pem", flat=True):
        first = x509.load_pem_x509_certificates(pem.encode("ascii"))[0]
        if first.public_bytes(serialization.Encoding.DER).hex().encode() in lowered:
            return True
    return False
