"""Local fakes of the vendors' APIs: real HTTP servers on 127.0.0.1 (stdlib
`ThreadingHTTPServer`) that answer as each vendor documents, for the tests, the bench and a
demo without the internet. The running app never imports them.

    with HubSpotFake() as fake:          # fake.url = "http://127.0.0.1:<port>"
        fake.add("companies", {"name": "Acme"})
"""

from .base import FakeServer
from .hubspot import HubSpotFake
from .salesforce import SalesforceFake

__all__ = ["FakeServer", "HubSpotFake", "SalesforceFake"]
