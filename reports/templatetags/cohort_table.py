"""`{% load cohort_table %}`: the cohorts heatmap's rows written in Python (reports.cohort_table)."""

from django import template

from ..cohort_table import cohort_rows as _cohort_rows

register = template.Library()


@register.simple_tag
def cohort_rows(rows):
    return _cohort_rows(rows)
