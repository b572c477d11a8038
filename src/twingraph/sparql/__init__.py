"""The SPARQL endpoint's concerns, one module each: lexing and the read-only guard, the protocol,
the table of media types, the result cache, the rate limiter, the Service Description and examples."""
