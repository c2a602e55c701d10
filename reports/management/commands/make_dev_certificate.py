"""Generate a self-signed development certificate for signing archived PDFs, unless one is active already."""

from django.core.management.base import BaseCommand

from reports.pdf.signing import active_certificate, dev_credentials, signing_certificate_create


class Command(BaseCommand):
    help = "Create and activate a self-signed signing certificate (development only) when none is active."

    def handle(self, *args, **options):
        current = active_certificate()
        if current is not None:
            # Idempotent, and never replaces a certificate the admin uploaded.
            self.stdout.write(f"signing certificate already active: {current.subject} ({current.fingerprint[:16]})")
            return
        certificate = signing_certificate_create(
            credentials=dev_credentials(), name="开发用自签名证书", development=True
        )
        self.stdout.write(f"signing certificate created: {certificate.subject} ({certificate.fingerprint[:16]})")
