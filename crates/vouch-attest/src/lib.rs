//! in-toto statements and predicates, and the `.intoto.jsonl` attestation bundle.
