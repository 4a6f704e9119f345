"""Privacy for the whole life of a person's data: leavers, access and erasure requests, terms."""
