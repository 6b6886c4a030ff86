//! `kubectl-xtenant`: placeholder until the tool lands.

fn main() {}
