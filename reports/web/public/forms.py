"""The verify page's upload: a PDF, checked by its first bytes and its size before anything reads it."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

PDF_MAGIC = b"%PDF-"


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("PDF 文件"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大：最大 %(mb)s MB。") % {"mb": f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")}
            )
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise forms.ValidationError(_("请上传 PDF 文件：该文件不是 PDF（开头不是 %PDF-）。"))
        upload.seek(0)
        self.data_bytes = upload.read()
        return upload
