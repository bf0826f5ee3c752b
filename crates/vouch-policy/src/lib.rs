//! Policies and their evaluation: a pure function from policy and evidence to a verdict.
