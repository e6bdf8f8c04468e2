"""Invitations: an admin invites a colleague by e-mail; they choose their own user name and
password from a single-use, expiring link. No admin ever types someone else's password."""
