"""Work queued while the broker is down, kept until it is back (see `services`)."""
