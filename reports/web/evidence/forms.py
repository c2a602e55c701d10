"""The upload panel's form: one file. Its size and type are the service's to check, by content."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# What the file picker offers; the server reads the bytes whatever the picker let through.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.xlsx,.docx,application/pdf,image/png,image/jpeg"


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("选择文件"), error_messages={"required": _("请选择要上传的文件。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"accept": ACCEPT, "id": "evidence-file"})
