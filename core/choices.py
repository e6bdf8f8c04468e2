from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CSM = "csm", "CSM"
    READONLY = "readonly", "Read-only"


# A higher rank can do everything a lower one can.
ROLE_RANK = {Role.READONLY: 0, Role.CSM: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class APIKeyScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"
    INGEST = "ingest", "Ingest only"
