//! Tests across the whole pipeline: checker errors, evaluator semantics, vectors, properties.
