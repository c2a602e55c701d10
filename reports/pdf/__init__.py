"""The printed report: 自评报告 (portrait A4) then 部门整体绩效自评表 (landscape A4), as PDF.

- context.py lays the report out from the stored data and the engine's result (no score
  is computed here); render.py turns the one template (templates/pdf/) into HTML for
  the print preview and into PDF with WeasyPrint.
- Which total the document states: the total by the bureau's rules (规则得分), with
  the department's own total printed beside it where the two differ (table header,
  the generated 综合评价结论 paragraph, and "自评" beside each differing row score).
- archive.py keeps the PDF of every approval (written once, SHA-256 recorded);
  services.py and tasks.py render in the background (django-tasks) with a status
  that the page polls; views.py serves the preview, downloads and archived copies.
- signing.py signs each archive with the bureau's certificate (PAdES, pyHanko) and checks an
  uploaded PDF against the signed archives (the public verify page).
- batch.py renders many reports in worker processes (manage.py render_reports).
"""
