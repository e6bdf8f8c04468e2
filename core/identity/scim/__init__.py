"""SCIM 2.0 provisioning (RFC 7643/7644) at /scim/v2/: Okta and Microsoft Entra ID create, update,
deactivate and group the CS team's users here. Resources are parsed, patched and serialised with
scim2-models, filters become Django queries through scim2-filter-parser; every write goes through
`core.identity.services` (the seam SSO sign-in uses too), so roles follow the provider's groups
(`PULSE_SSO_GROUP_ROLES`) whichever door a change came in by.

A User's SCIM `id` is the `subject` of its ExternalIdentity (provider "scim"): a UUID Pulse assigns
when the user is provisioned; the client's `externalId` is kept beside it. Authentication: an API
key with the "scim" scope, which opens these endpoints and nothing else."""
