from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    CSM = "csm", _("CSM")
    READONLY = "readonly", _("Read-only")


# A higher rank can do everything a lower one can.
ROLE_RANK = {Role.READONLY: 0, Role.CSM: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class APIKeyScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
    INGEST = "ingest", _("Ingest only")
    SCIM = "scim", _("SCIM provisioning")


class Digits(models.TextChoices):
    """How numbers are written for a user whose language has its own digits (Arabic, Persian)."""

    WESTERN = "latn", _("Western (0123456789)")
    NATIVE = "native", _("Arabic-Indic (٠١٢٣ / ۰۱۲۳)")


class Calendar(models.TextChoices):
    """The calendar dates are shown in (stored dates are always Gregorian UTC)."""

    GREGORIAN = "gregorian", _("Gregorian")
    SOLAR_HIJRI = "persian", _("Solar Hijri (Persian)")
