"""News from playbooks for the floors above (notifications listens). Sent after commit."""

from django.dispatch import Signal

# task_ids: list[int], actor_id: int | None. Tasks got an assignee: made by hand or by a playbook,
# reassigned one by one or in bulk (one signal for the batch). actor_id is the person who
# assigned them (None for a playbook).
task_assigned = Signal()
