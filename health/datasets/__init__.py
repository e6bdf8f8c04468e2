"""Public churn datasets loaded through the REST API (issue 19), to evaluate health on data
nobody tuned it for: `manage.py health_dataset_load --format fightchurn DIR`, then
`manage.py health_evaluate` (health.evaluation).

- fightchurn: the socialnet7 churn simulation of Carl Gold's *Fighting Churn with Data*
  (github.com/carl24k/fight-churn), exported as CSV by bench/datasets/fightchurn_export.py.

A format turns its files into the API's payloads (accounts, subscriptions, events); the
loader (api_load) posts them with an API key, in-process through Django's test client (the
whole DRF request path: authentication, validation, the services) or to a running server.
"""

from .fightchurn import fightchurn_read
from .load import DatasetPayloads, api_load

FORMATS = {"fightchurn": fightchurn_read}

__all__ = ["FORMATS", "DatasetPayloads", "api_load", "fightchurn_read"]
