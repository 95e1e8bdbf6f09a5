"""Presentation: one document model and its renderers.

:mod:`~genderstats.present.model` holds the blocks a report is made of (headings,
paragraphs, tables with caption and notes, figures with alt text and data, findings);
:mod:`~genderstats.present.tables` and :mod:`~genderstats.present.charts` build them from
frames; :mod:`~genderstats.present.html` renders them for JupyterLab and the committee pages.
Markup is written only here and in ``genderstats/templates/``.
"""
